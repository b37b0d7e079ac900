#!/usr/bin/env bash
# ci/arm64/install.sh - installs what the emulated arm64 step needs and a fresh machine lacks:
# qemu-system-aarch64 (Debian qemu-system-arm), debootstrap, cpio and file (the aarch64 cross
# compiler the Maven build needs is ci/install-deps.sh's). Only Debian packages by
# name; nothing when all are present. Without root (and no sudo) it says what is missing and
# exits 1, and ci/arm64/run.sh then reports the step as skipped.
set -euo pipefail
need=()
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v cpio >/dev/null || need+=(cpio)
command -v file >/dev/null || need+=(file)
[ ${#need[@]} -gt 0 ] || exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
  echo "arm64 install: not root: cannot install ${need[*]}" >&2; exit 1
fi
echo "arm64 install: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
