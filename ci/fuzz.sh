#!/usr/bin/env bash
# Bounded fuzzing, the CI step after ci/sanitize.sh: every Jazzer @FuzzTest (java/src/test) for its
# maxDuration (30 s) and every libFuzzer target (native/fuzz) for FUZZ_SECONDS, FUZZ_JOBS at a time.
# Prints each target's number of runs; exits non-zero on any finding (or if a target did not run).
#
# usage: ci/fuzz.sh         (after mvn -B verify: needs java/target/classes and test-classes; clang)
# env:   FUZZ_SECONDS  libFuzzer time per C target (default 30)
#        FUZZ_JOBS     targets fuzzed at once (default 2)
# Findings: Jazzer saves the input as java/src/test/resources/<package>/<Class>Inputs/<method>/crash-*
# (mvn verify replays it from then on); libFuzzer as target/fuzz/<target>-crash-* (copy it into
# native/fuzz/corpus/<target>/). Logs: target/fuzz/<target>.log. Generated corpora (not in git):
# java/.cifuzz-corpus/ and target/fuzz/corpus-<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/fuzz
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-2}
java_targets=(
  io.procmaster.config.ConfigFuzzTest#masterCf
  io.procmaster.config.ConfigFuzzTest#mainCf
  io.procmaster.policy.StatusRecordFuzzTest#statusRecords
  io.procmaster.helper.HelperReplyFuzzTest#framerAndParser
  io.procmaster.helper.HelperReplyFuzzTest#poolReplies
)
c_targets=(fdplan strblock)
start=$(date +%s)

[ -d java/target/test-classes ] || { echo "fuzz: java/target/test-classes missing: run mvn -B verify first" >&2; exit 2; }
command -v clang >/dev/null || { echo "fuzz: clang missing (ci/install-deps.sh installs it)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
mvn -B -ntp -q -pl java dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/test.classpath"
cp="target/test-classes:target/classes:$(cat "$out/test.classpath")"
CC=clang cmake -S native -B "$out/native" -DPROCMASTER_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$out/native" -j"$(nproc)" >/dev/null

# Each job records its exit status in <name>.rc and never fails itself (wait -n under set -e).
fuzz_java() {
  local name=${1##*.}; name=${name/\#/.}
  # From java/, Jazzer's base directory: a finding is saved straight into the target's Inputs
  # directory, and its generated corpus (java/.cifuzz-corpus, not in git) carries over between runs.
  (cd java && JAZZER_FUZZ=1 java -Dorg.slf4j.simpleLogger.defaultLogLevel=off \
     -cp "$cp" io.procmaster.testing.FuzzTargetMain "$1") >"$out/$name.log" 2>&1 && echo 0 >"$out/$name.rc" \
    || echo $? >"$out/$name.rc"
}
fuzz_c() {
  mkdir -p "$out/corpus-$1"
  (cd "$out" && "$out/native/fuzz/fuzz_$1" -max_total_time="$seconds" -print_final_stats=1 \
     -artifact_prefix="$out/$1-" "$out/corpus-$1" "$root/native/fuzz/corpus/$1") >"$out/$1.log" 2>&1 \
    && echo 0 >"$out/$1.rc" || echo $? >"$out/$1.rc"
}
running=0
launch() {
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  "$@" &
  running=$((running + 1))
}
for t in "${java_targets[@]}"; do launch fuzz_java "$t"; done
for t in "${c_targets[@]}"; do launch fuzz_c "$t"; done
wait

failed=0
names=()
for t in "${java_targets[@]}"; do n=${t##*.}; names+=("${n/\#/.}"); done
names+=("${c_targets[@]}")
for n in "${names[@]}"; do
  rc=$(cat "$out/$n.rc" 2>/dev/null || echo missing)
  runs=$(grep -aoE '^Done [0-9]+ runs' "$out/$n.log" | tail -1 | awk '{print $2}')
  if [ "$rc" = 0 ] && [ -n "$runs" ]; then
    echo "fuzz: $n: $runs runs, no finding"
  else
    echo "fuzz: $n: FAILED (exit $rc, ${runs:-no} runs); last lines of $out/$n.log:" >&2
    grep -av '^INFO: Instrumented' "$out/$n.log" | tail -40 >&2 || true
    failed=1
  fi
done
echo "fuzz: $(( $(date +%s) - start )) s"
exit "$failed"
