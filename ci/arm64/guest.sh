#!/bin/sh
# ci/arm64/guest.sh - what runs inside the emulated arm64 machine (ci/arm64/init calls it as /payload/guest.sh).
#
# 1. ctest: the ctest suite of the cross-built native tree (test_spawn runs each case with clone3
#    and with the posix_spawn fallback: it sets the mechanism per request, PM_MECH_CLONE3 /
#    PM_MECH_POSIX_SPAWN); 2. smoke: the Java smoke test (ci/arm64/smoke/Arm64Smoke.java) on
#    Debian's arm64 OpenJDK 17; 3. bench: the spawn benchmark's smoke mode (SpawnRoundTrip, one
#    short iteration per method: proves it runs there; emulated figures compare with nothing).
# The steps run one after the other, each with both emulated CPUs to itself: run beside a JVM,
# ctest's test_fdplan (thousands of forked children, ~80-105 s alone) ran past its native 120 s
# TIMEOUT (ci/arm64/payload.sh now scales the TIMEOUTs), and each step's output and time stay
# its own. The benchmark runs in the
# JMH runner's own JVM (-f 0: one JVM start instead of one per method), so the method that needs
# its own JVM options (processBuilderVfork) is left out. Each step is bounded by timeout(1) and
# closes with a "procmaster-arm64: <step> ok|FAILED" line; all steps run, whatever failed.
# The JVMs run C1 only (-XX:TieredStopAtLevel=1): under emulation C2's compilations cost more
# than they return in a run this short.
#
# Interface: /payload/env (written by ci/arm64/payload.sh) names the tree, the class paths, the
# steps (ARM64_STEPS, default all three) and their limits. Exit status: the number of failed steps.
. /payload/env
# The console is a tty: without this ctest colours its summary line with escape codes.
TERM=dumb
export TERM
java=/usr/lib/jvm/java-17-openjdk-arm64/bin/java
jvm_opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED"
out=/tmp/procmaster-arm64
mkdir -p "$out"
step() {  # step <name> <seconds> <command...>: runs it, leaves its status in $out/<name>.status
  name=$1 limit=$2; shift 2
  echo "procmaster-arm64: $name: start ($(date -u +%T))"
  t0=$(date +%s)
  timeout -k 10 "$limit" "$@"
  rc=$?
  t=$(( $(date +%s) - t0 ))
  echo "$rc" >"$out/$name.status"
  if [ "$rc" -eq 0 ]; then
    echo "procmaster-arm64: $name ok ($t s)"
  else
    [ "$rc" -eq 124 ] && echo "procmaster-arm64: $name timed out after $limit s"
    echo "procmaster-arm64: $name FAILED (status $rc, $t s)"
  fi
}
wants() { case " $ARM64_STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
cd "$PM_TREE" || exit 1

if wants ctest; then
  step ctest "$ARM64_CTEST_LIMIT" ctest --output-on-failure --no-tests=error -j2
fi
if wants smoke; then
  # shellcheck disable=SC2086 # jvm_opts is a list of options
  step smoke "$ARM64_SMOKE_LIMIT" "$java" $jvm_opts -cp "$PM_SMOKE_CP" Arm64Smoke "$PM_TREE/bin/pm-echo"
fi
if wants bench && [ -n "${PM_BENCH_CP:-}" ]; then
  # The aarch64 jar ahead of benchmarks.jar's own (x86_64) library, in this JVM (-f 0).
  # shellcheck disable=SC2086
  PROCMASTER_BIN=$PM_TREE/bin step bench "$ARM64_BENCH_LIMIT" "$java" $jvm_opts -Xms64m -cp "$PM_BENCH_CP" \
    org.openjdk.jmh.Main 'SpawnRoundTrip\.(procmasterLoop|procmasterWaitFor|processBuilder)$' -foe true -f 0 -wi 0 -i 1 -r 500ms
elif wants bench; then
  echo "procmaster-arm64: bench skipped: no benchmarks/target/benchmarks.jar in the payload (build with mvn install)"
fi
failed=0
for s in "$out"/*.status; do
  [ -e "$s" ] || continue
  [ "$(cat "$s")" = 0 ] || failed=$((failed + 1))
done
echo "procmaster-arm64: steps: $ARM64_STEPS; $failed failed"
exit "$failed"
