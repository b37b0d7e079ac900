#!/usr/bin/env bash
# Rewrites java/src/main/resources/io/procmaster/config/postfix-parameters.txt from the installed Postfix's
# `postconf -d`: the names procmaster must not call unused (docs/configuration.md).
# Needs postconf (ci/install-postfix.sh installs Debian's postfix package).
set -euo pipefail
out="$(dirname "$0")/../java/src/main/resources/io/procmaster/config/postfix-parameters.txt"
version="$(postconf -d mail_version | cut -d' ' -f3)"
{
  echo "# The names of the stock Postfix parameters, one per line: the names procmaster keeps"
  echo "# (and does not call unused) because the stock daemons read the same main.cf."
  echo "# Source: Debian 12's postfix package, mail_version = ${version}."
  echo "# Regenerate: ci/install-postfix.sh, then"
  echo "#   ci/postfix-parameters.sh"
  echo "# Lines starting with # are comments."
  postconf -d 2>/dev/null | cut -d' ' -f1 | LC_ALL=C sort -u
} > "$out"
