#!/usr/bin/env bash
# ci/kvm/install.sh - installs what the KVM guest step needs and says whether this machine can run it.
#
# Installs, from Debian's apt by package name and only what is missing: qemu-system-x86 (the
# machine, with its 9p file server: -virtfs), busybox-static (the initramfs's only program, used
# before the host's root file system is mounted) and cpio (packs the initramfs). Then checks that
# /dev/kvm is there and usable: a character device this user can open read-write whose
# KVM_GET_API_VERSION ioctl answers 12 (python3, which ci/install-deps.sh installs; without it
# only the open is tried), and that it is not PVM's (kvm_pvm), which cannot run Debian's kernel.
#
# usage: ci/kvm/install.sh
# exit:  0 ready; 1 a package is missing and cannot be installed (not root and no sudo, or apt
#        failed); 2 /dev/kvm is absent or unusable. Each failure prints one "kvm: <why>" line on
#        stderr, which ci/kvm/run.sh repeats as the reason it skips the step.
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# busybox-static's /bin/busybox; the dynamic "busybox" package's would need its libc in the initramfs.
if ! { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }; then need+=(busybox-static); fi
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; else
    echo "kvm: not root (and no sudo): cannot install ${need[*]}" >&2; exit 1
  fi
  echo "kvm install: installing ${need[*]}" >&2
  # An old or absent package list fails the install: refresh it once, then try again.
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
      { echo "kvm: apt-get install ${need[*]} failed" >&2; exit 1; }
  fi
fi

[ -e /dev/kvm ] || { echo "kvm: no /dev/kvm (no hardware virtualisation here, or the kvm module is not loaded)" >&2; exit 2; }
[ -c /dev/kvm ] || { echo "kvm: /dev/kvm is not a character device" >&2; exit 2; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "kvm: /dev/kvm is not readable and writable by $(id -un) (add the user to group kvm, or run as root)" >&2; exit 2; }
if command -v python3 >/dev/null; then
  # KVM_GET_API_VERSION is _IO(0xAE, 0x00); every kernel since 2.6.22 answers 12.
  why=$(python3 -c '
import fcntl, os, sys
try:
    fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
except OSError as e:
    sys.exit("cannot open /dev/kvm: " + e.strerror)
try:
    v = fcntl.ioctl(fd, 0xAE00)
except OSError as e:
    sys.exit("KVM_GET_API_VERSION on /dev/kvm failed: " + e.strerror)
if v != 12:
    sys.exit("/dev/kvm answers KVM API version %d, not 12" % v)
' 2>&1) || { echo "kvm: $why" >&2; exit 2; }
else
  { exec 3<>/dev/kvm; } 2>/dev/null || { echo "kvm: cannot open /dev/kvm read-write" >&2; exit 2; }
  exec 3<&-
fi
# PVM (kvm_pvm: KVM without hardware virtualisation, as in some nested cloud machines) runs only
# guest kernels built for it; Debian's stops before its first message (seen: 120 s, no output).
if [ -d /sys/module/kvm_pvm ]; then
  echo "kvm: /dev/kvm is PVM's (module kvm_pvm, no hardware virtualisation): it runs only guest kernels built for PVM, not Debian's" >&2
  exit 2
fi
