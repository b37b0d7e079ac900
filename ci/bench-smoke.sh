#!/bin/sh
# bench-smoke.sh - run every JMH benchmark once, briefly, to prove the suite
# works (not to measure): one fork, no warm-up, one 200 ms iteration each;
# the raw C loop once per heap size; the 8 GiB heap fork with 1 GiB instead
# (-jvmArgs override) to save time and memory. Well under 3 minutes on 2 cores.
# Exits non-zero if any benchmark fails (JMH -foe) or the build is missing.
#
# usage: ci/bench-smoke.sh            (after mvn -B -q -DskipTests verify)
# env:   BENCH_CPU (see Pin.java), SMOKE_JSON (result file, default target dir),
#        SMOKE_PORT (loopback port of the benchmark 5 run, default 10036)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
OUT=${SMOKE_JSON:-$ROOT/benchmarks/target/smoke}
[ -f "$JAR" ] || { echo "bench-smoke: $JAR missing: run mvn -B -q -DskipTests verify" >&2; exit 2; }
mkdir -p "$OUT"
start=$(date +%s)
COMMON="-foe true -f 1 -wi 0 -i 1 -r 200ms -w 200ms"

java -jar "$JAR" 'JniCrossing|SpawnRoundTrip\.|SpawnIntoCgroup|RawSpawnLoop|RawStatusLoop|StatusThroughput|MasterStatusPath|HelperPoolBaseline|HelperPoolBench' \
    $COMMON -p heapMb=64,1024 -rf json -rff "$OUT/smoke.json"
java -jar "$JAR" 'SpawnRoundTripHeap8g' $COMMON \
    -jvmArgs "-Xms1g -Xmx1g -XX:+AlwaysPreTouch" -rf json -rff "$OUT/smoke-heap.json"

# Benchmark 5, procmaster side only (Postfix is not installed here): a tiny
# on-demand echo run through the real CLI master, ~2 s; non-zero on any error.
SPAWN_RATE_LIMIT=0 PORT=${SMOKE_PORT:-10036} "$ROOT/benchmarks/postfix/run-procmaster.sh" 500 4 5

# Every benchmark must have produced a result.
expected=$(java -jar "$JAR" -l | grep -c '^io\.procmaster\.')
got=$(cat "$OUT/smoke.json" "$OUT/smoke-heap.json" | grep -c '"benchmark"')
# JniCrossing.pollReady (3 params), statusWriteAndPull (2) and RawSpawnLoop (2) add 4 extra rows.
[ "$got" -ge "$expected" ] || { echo "bench-smoke: $got results for $expected benchmarks" >&2; exit 1; }
echo "bench-smoke: $got results, $(( $(date +%s) - start )) s"
