#!/usr/bin/env bash
# Installs Debian's squid package when its helper programs (/usr/lib/squid) are
# missing, without starting the proxy: a policy-rc.d that refuses every start is
# in place during the install only. Used by ci/test.sh: the Squid*Test classes
# drive Squid's own helpers (basic_ncsa_auth, ext_file_userip_acl, ...) through
# procmaster's pools. security_fake_certverify (SquidEndOfMessageTest) is a Perl
# script needing Crypt::OpenSSL::X509, which squid only suggests: installed too.
# Needs root; exits non-zero if the install fails.
set -euo pipefail
[ -x /usr/lib/squid/basic_ncsa_auth ] && perl -MCrypt::OpenSSL::X509 -e 1 2>/dev/null && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-squid: root is needed to install squid" >&2
  exit 1
fi
echo "install-squid: installing squid (the proxy is not started)" >&2
rc=/usr/sbin/policy-rc.d
if [ -e "$rc" ]; then
  echo "install-squid: $rc exists; installing with it as it is" >&2
  own_rc=
else
  printf '#!/bin/sh\nexit 101\n' >"$rc" && chmod 755 "$rc"
  own_rc=1
fi
trap '[ -n "$own_rc" ] && rm -f "$rc"' EXIT
export DEBIAN_FRONTEND=noninteractive
packages="squid libcrypt-openssl-x509-perl"
apt-get install -y -q $packages >&2 || { apt-get update -qq && apt-get install -y -q $packages >&2; }
