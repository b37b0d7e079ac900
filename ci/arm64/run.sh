#!/usr/bin/env bash
# ci/arm64/run.sh - the emulated arm64 test step (ci/test.sh runs it after mvn install; README).
#
# Installs what it needs (ci/arm64/install.sh), gets the cached machine image or builds it
# (ci/arm64/image.sh), packs the run's payload from the Maven build's aarch64 tree and jar
# (ci/arm64/payload.sh) and boots the machine
# once (ci/arm64/boot.sh), which runs ci/arm64/guest.sh: the ctest suite, the Java smoke test and
# the spawn benchmark's smoke mode. The whole step is bounded by ARM64_BUDGET seconds.
#
# usage: ci/arm64/run.sh            (after mvn -B install in the checkout)
# env:   ARM64_TEST=skip            skip the step (says so; exit 0)
#        ARM64_BUDGET (default 840) seconds for the whole step, image build included
#        ARM64_STEPS (default "ctest smoke bench"), and those of ci/arm64/{image,boot,payload}.sh
# exit:  0 passed, or skipped with a "arm64: skipped: <why>" line (ARM64_TEST=skip, no qemu and no
#        way to install it, not enough of the budget left to boot); 1 anything failed or the
#        machine ran past the budget, with an "arm64: FAILED: <why>" line. The serial console
#        transcript is kept at java/target/arm64/console.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
start=$(date +%s)
budget=${ARM64_BUDGET:-840}
elapsed() { echo $(( $(date +%s) - start )); }
skip() { echo "arm64: skipped: $*"; exit 0; }
fail() { echo "arm64: FAILED: $* ($(elapsed) s)" >&2; exit 1; }

[ "${ARM64_TEST:-}" != skip ] || skip "ARM64_TEST=skip"
"$here/install.sh" || true
command -v qemu-system-aarch64 >/dev/null || skip "no qemu-system-aarch64 (apt-get install qemu-system-arm)"
command -v debootstrap >/dev/null || skip "no debootstrap (apt-get install debootstrap)"

out=$root/java/target/arm64
mkdir -p "$out"
image=$("$here/image.sh") || fail "the machine image could not be built"
"$here/payload.sh" "$out/payload.cpio" || fail "the payload could not be packed"

# What is left of the budget bounds the machine; a boot needs ~15 s, the steps ~4 min on 2 cores.
left=$(( budget - $(elapsed) ))
[ "$left" -ge 300 ] || skip "only $left s of the ${budget} s budget left to boot the machine"
echo "arm64: booting qemu-system-aarch64 -M virt -cpu ${ARM64_CPU:-cortex-a57} (limit $left s; image $(basename "$image"))"
set +e
"$here/boot.sh" "$image" "$out/payload.cpio" "$out/console.log" "$left"
status=$?
set -e
rm -f "$out/payload.cpio"

echo "arm64: summary (transcript: java/target/arm64/console.log)"
grep -E '^procmaster-arm64: [a-z]+ (ok|FAILED|timed out)|tests passed|^ok |^arm64 smoke passed' "$out/console.log" \
  | sed 's/\x1b\[[0-9;]*m//g; s/^/  /' || true
case $status in
  0) echo "arm64: passed in $(elapsed) s" ;;
  124) fail "the emulated machine did not finish within $left s (TCG too slow on this machine?)" ;;
  125) fail "the emulated machine stopped without reporting (kernel panic or qemu error: see the transcript)" ;;
  *) fail "$status guest step(s) failed (see above)" ;;
esac
