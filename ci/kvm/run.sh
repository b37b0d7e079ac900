#!/usr/bin/env bash
# ci/kvm/run.sh - runs one command in a KVM guest whose cgroups are pure cgroup2 (README, "Platforms").
#
# The guest runs the host's own root file system (read-only, under a tmpfs overlay: its writes
# vanish), so the command finds the host's JDK, Maven, ~/.m2 and the built tree at their usual
# paths; it runs as root in <dir>, with cgroup2 alone at /sys/fs/cgroup and memory, pids, cpu, io
# enabled for the cgroups it makes. Output comes on stdout as the guest prints it (the serial
# console). One directory is shared read-write: $KVM_OUT, at the same path in the guest and the
# host, where the command leaves what should outlive the guest (surefire reports) and the guest
# writes the status. Installs what it needs (ci/kvm/install.sh), gets the cached kernel and
# initramfs (ci/kvm/image.sh) and boots the machine once (ci/kvm/boot.sh).
#
# usage: ci/kvm/run.sh <dir> -- <command> [args...]
# env:   KVM_TEST=skip      skip (says so; exit 0)
#        KVM_ACCEL          auto (default): KVM where /dev/kvm can run the guest (ci/kvm/install.sh
#                           checks: absent, unusable or PVM's kvm_pvm cannot), else TCG, qemu's
#                           emulation (said; a JVM start is ~50 times slower); kvm: KVM or skip;
#                           tcg: always emulate
#        KVM_BUDGET         seconds for the whole step, kernel fetch included (default 600)
#        KVM_OUT            the shared directory (default <this checkout>/target/kvm; emptied first, so
#                           refused (exit 2) when it is the checkout, above it, or the home directory)
#        KVM_MEM (4G), KVM_SMP (2); those of ci/kvm/image.sh
#        The command sees JAVA_HOME, MAVEN_OPTS and MAVEN_ARGS as set here, KVM_OUT, and the guest's
#        own PATH, HOME=/root, LANG=C.UTF-8, TERM=dumb.
# exit:  the command's status; 0 with a "kvm: skipped: <why>" line when KVM_TEST=skip, qemu cannot
#        be installed, or KVM_ACCEL=kvm and /dev/kvm is absent or unusable (install.sh's reason);
#        2 bad usage; 124 with "kvm: FAILED: ... budget" when the guest ran past the budget; 125
#        with "kvm: FAILED: <why>" when the guest could not run the command (no kernel, init
#        failed, kernel panic, a path with a space). Transcript: $KVM_OUT/console.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
start=$(date +%s)
budget=${KVM_BUDGET:-600}
elapsed() { echo $(( $(date +%s) - start )); }
skip() { echo "kvm: skipped: $*"; exit 0; }
fail() { local status=$1; shift; echo "kvm: FAILED: $* ($(elapsed) s)" >&2; exit "$status"; }
usage() { echo "usage: ci/kvm/run.sh <dir> -- <command> [args...]" >&2; exit 2; }

[ $# -ge 3 ] && [ "$2" = -- ] || usage
dir=$(cd "$1" 2>/dev/null && pwd) || { echo "kvm: no directory $1" >&2; exit 2; }
shift 2
[ "${KVM_TEST:-}" != skip ] || skip "KVM_TEST=skip"
set +e
why=$("$here/install.sh" 2>&1 >/dev/null)
ready=$?
set -e
why=${why#kvm: }
accel=${KVM_ACCEL:-auto}
case "$ready:$accel" in
  0:auto|0:kvm) accel=kvm ;;
  0:tcg|2:tcg) ;;
  1:*) skip "$why" ;;
  2:auto) echo "kvm: $why: the guest is emulated instead (TCG: several times slower; KVM_ACCEL=kvm skips)"; accel=tcg ;;
  2:kvm) skip "$why" ;;
  *) echo "kvm: KVM_ACCEL=$accel is none of auto, kvm, tcg" >&2; exit 2 ;;
esac
export KVM_ACCEL=$accel

out=${KVM_OUT:-$root/target/kvm}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# It is emptied below: never the checkout, a directory above it, or the home directory (KVM_OUT=~ by mistake).
case "$root/" in "${out%/}/"*) echo "kvm: KVM_OUT=$out holds this checkout: it would be emptied" >&2; exit 2 ;; esac
[ "$out" != "$(cd ~ 2>/dev/null && pwd)" ] || { echo "kvm: KVM_OUT=$out is the home directory: it would be emptied" >&2; exit 2; }
# The kernel command line carries the paths, split at spaces.
case "$here$out" in *[[:space:]]*) fail 125 "the paths $here and $out must not contain spaces (the kernel command line carries them)" ;; esac
find "$out" -mindepth 1 -delete
files=$("$here/image.sh") || fail 125 "no guest kernel (ci/kvm/image.sh said why above)"
read -r kernel initrd <<<"$files"

# The command, as the guest's bash will read it: every word quoted, in <dir>.
{
  echo "cd $(printf %q "$dir") || exit 125"
  for v in JAVA_HOME MAVEN_OPTS MAVEN_ARGS; do [ -n "${!v:-}" ] && echo "export $v=$(printf %q "${!v}")"; done
  echo "export KVM_OUT=$(printf %q "$out")"
  printf 'exec'; printf ' %q' "$@"; echo
} >"$out/command"

left=$(( budget - $(elapsed) ))
[ "$left" -ge 30 ] || fail 124 "only $left s of the ${budget} s budget (KVM_BUDGET) left to boot the guest"
echo "kvm: booting $(basename "$(dirname "$kernel")") with $accel (limit $left s): $(printf '%s ' "$@" | tr -s ' \n' '  ' | cut -c1-300)"
t0=$(date +%s)
set +e
"$here/boot.sh" "$kernel" "$initrd" "$out" "$out/console.log" "$left"
status=$?
set -e
# 124 and 125 are boot.sh's own only without a status file; with one they are the command's.
[ -f "$out/status" ] || case $status in
  124) fail 124 "the guest ran past the ${budget} s budget (KVM_BUDGET) and was stopped" ;;
  125) fail 125 "the guest stopped without running the command to its end (transcript: $out/console.log)" ;;
esac
echo "kvm: guest exit $status ($(( $(date +%s) - t0 )) s in the guest, $(elapsed) s in all)"
exit "$status"
