#!/usr/bin/env bash
# ci/arm64/boot.sh - boots the emulated arm64 machine once and returns the guest's exit status.
#
# Full-system emulation (not user-mode: qemu-aarch64 refuses clone3 and runs vfork as fork):
# qemu-system-aarch64 -M virt -cpu cortex-a57, 2 vCPUs on multi-threaded TCG, no devices but the
# serial console (-nodefaults: no network card, no disk). cortex-a57 rather than -cpu max: max
# emulates pointer authentication on every call and return (ctest: 139 s against 69 s here).
# The kernel is the cached Debian arm64 Image; the initramfs is the cached root file system with
# the run's payload cpio appended (ci/arm64/image.sh, ci/arm64/payload.sh). The serial console is printed as it comes and kept
# in the transcript file.
#
# usage: ci/arm64/boot.sh <image dir> <payload.cpio> <transcript> <seconds>
# env:   ARM64_CPU (default cortex-a57), ARM64_SMP (2), ARM64_MEM (3072, MiB)
# exit:  the guest's status from its "procmaster-arm64: guest exit N" line; 124 if the machine
#        ran past <seconds> (killed); 125 if it stopped without that line (a panic, qemu failed)
set -euo pipefail
image=$1 payload=$2 transcript=$3 limit=$4
initrd=$(mktemp "${TMPDIR:-/tmp}/procmaster-arm64-initrd.XXXXXX")
trap 'rm -f "$initrd"' EXIT
cat "$image/rootfs.cpio" "$payload" >"$initrd"
set +e
timeout -k 5 "$limit" qemu-system-aarch64 -M virt -cpu "${ARM64_CPU:-cortex-a57}" \
  -smp "${ARM64_SMP:-2}" -m "${ARM64_MEM:-3072}" -accel tcg,thread=multi \
  -nodefaults -display none -serial stdio -no-reboot \
  -kernel "$image/vmlinuz" -initrd "$initrd" -append "console=ttyAMA0 panic=-1 quiet" \
  </dev/null 2>&1 | tee "$transcript"
qemu_status=${PIPESTATUS[0]}
set -e
[ "$qemu_status" -eq 124 ] && { echo "arm64 boot: the machine ran past ${limit} s and was stopped" >&2; exit 124; }
guest=$(sed -n 's/^procmaster-arm64: guest exit \([0-9]*\).*/\1/p' "$transcript" | tail -1)
[ -n "$guest" ] || { echo "arm64 boot: the machine stopped (qemu status $qemu_status) without the guest's exit line" >&2; exit 125; }
exit "$guest"
