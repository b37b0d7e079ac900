#!/usr/bin/env bash
# ci/kvm/boot.sh - boots the KVM guest once and returns the status of the command it ran.
#
# qemu-system-x86_64 -enable-kvm -cpu host (less arch-capabilities: qemu 7.2 cannot set that MSR
# under some nested hypervisors and aborts), or with KVM_ACCEL=tcg qemu's multi-threaded
# emulation with -cpu max; KVM_CPU overrides the -cpu. KVM_SMP vCPUs (2), KVM_MEM of memory (4G), no devices
# but the serial console and two virtio-9p shares served by qemu itself: the host's / read-only
# (tag hostroot; multidevs=remap keeps inode numbers unique across the host's mounts) and <out>
# read-write (tag results). The kernel boots with cgroup_no_v1=all; ci/kvm/init and
# ci/kvm/guest.sh do the rest. The serial console is printed as it comes and kept in the
# transcript file.
#
# The 9p mount of the host's root uses cache=loose (KVM_9P_CACHE; "none" read 128 MiB in 23 s
# against 17 s under TCG).
#
# usage: ci/kvm/boot.sh <vmlinuz> <initrd> <out dir> <transcript> <seconds>
#        <out dir> holds the command file (ci/kvm/run.sh writes it); the guest writes status there
# exit:  the command's status (from <out>/status, else the console's "procmaster-kvm: guest exit N",
#        then written to <out>/status); 124 if the machine ran past <seconds> (killed); 125 if it
#        stopped without a status (kernel panic, init failed, qemu refused to start). <out>/status
#        exists exactly when the exit is the command's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kernel=$1 initrd=$2 out=$3 transcript=$4 limit=$5
rm -f "$out/status"
set +e
case ${KVM_ACCEL:-kvm} in
  kvm) accel=(-enable-kvm -cpu "${KVM_CPU:-host,-arch-capabilities}") ;;
  tcg) accel=(-accel tcg,thread=multi -cpu "${KVM_CPU:-max}") ;;
  *) echo "kvm boot: KVM_ACCEL=${KVM_ACCEL} is neither kvm nor tcg" >&2; exit 125 ;;
esac
timeout -k 5 "$limit" qemu-system-x86_64 "${accel[@]}" -m "${KVM_MEM:-4G}" -smp "${KVM_SMP:-2}" \
  -nographic -nodefaults -serial stdio -no-reboot \
  -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 quiet cgroup_no_v1=all pm_guest=$here/guest.sh pm_out=$out pm_cache=${KVM_9P_CACHE:-loose}" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$out",mount_tag=results,security_model=none,multidevs=remap \
  </dev/null 2>&1 | tee "$transcript"
qemu_status=${PIPESTATUS[0]}
set -e
guest=
[ -f "$out/status" ] && guest=$(cat "$out/status")
if [ -n "$guest" ]; then
  # The command finished; a machine that then hung powering off does not change its status.
  case $qemu_status in 124|137) echo "kvm boot: the command finished (exit $guest), then the machine ran past ${limit} s powering off and was stopped" >&2 ;; esac
  exit "$guest"
fi
# 124: timeout's TERM stopped qemu; 137: qemu outlived the TERM by 5 s and timeout's -k killed it.
case $qemu_status in 124|137) echo "kvm boot: the machine ran past ${limit} s and was stopped" >&2; exit 124 ;; esac
# Without the file, the console's line; 125 there is ci/kvm/init's or guest.sh's own failure (no
# results share, a module or mount missing): the command never ran, so it is ours, not the command's.
guest=$(sed -n 's/^procmaster-kvm: guest exit \([0-9]*\).*/\1/p' "$transcript" | tr -d '\r' | tail -1)
[ -n "$guest" ] && [ "$guest" != 125 ] || { echo "kvm boot: the machine stopped (qemu status $qemu_status) without the command's status" >&2; exit 125; }
# The status file is the proof that the command finished (ci/kvm/run.sh tells its 124 and 125 from ours by it).
echo "$guest" >"$out/status"
exit "$guest"
