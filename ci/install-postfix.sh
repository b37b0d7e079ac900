#!/usr/bin/env bash
# Installs Debian's postfix package when /usr/lib/postfix/sbin is missing, with
# "No configuration": no /etc/postfix/main.cf is written, so the package starts
# no system mail service. Used by ci/test.sh (the stock daemons are run under
# procmaster by PostfixDaemonsTest) and by benchmarks/postfix/run-postfix.sh.
# Needs root; exits non-zero if the install fails.
set -euo pipefail
[ -x /usr/lib/postfix/sbin/master ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-postfix: root is needed to install postfix" >&2
  exit 1
fi
echo "install-postfix: installing postfix (No configuration)" >&2
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q postfix >&2 || { apt-get update -qq && apt-get install -y -q postfix >&2; }
