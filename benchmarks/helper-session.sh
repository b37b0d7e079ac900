#!/bin/sh
# helper-session.sh - benchmark 6's documented session in one go (BENCHMARKS.md §6): the
# ProcessBuilder pool (HelperPoolBaseline) and procmaster's HelperPool (HelperPoolBench) at 4 and
# 8 helpers, the pipelined shapes at 8 and 16 requests in flight per caller (32 and 64 in all),
# every run with -prof gc; JSON to benchmarks/results/, then the table (helper-table.py): medians,
# p50/p99 of the SampleTime shape, ratios to the baseline of the same JMH run, and the bytes
# allocated per request (gc.alloc.rate.norm).
#
# Two JMH runs, each holding its own baseline so every ratio compares the same minutes:
#   1. request, request4 (baseline and pool)                       -p helpers=4,8
#   2. baseline request4 and the pool's pipelined4, pipelinedBulk4  -p helpers=4,8 -p inFlight=8,16
# (the request shapes ignore inFlight: run 2 keeps them out rather than run them twice).
#
# usage: benchmarks/helper-session.sh            (after mvn -B -q -DskipTests install)
# env:   JMH_RUN   iteration options (default "-f 1 -wi 2 -w 1s -i 5 -r 2s", §6's documented ones)
#        HELPERS   helpers parameter (default 4,8); IN_FLIGHT (default 8,16)
#        POOL_ARGS more -p options for the pool, e.g. "-p mode=channelIds -p channel=stream"
#        OUT       result directory (default benchmarks/results); STAMP (default UTC date-time)
# Exits non-zero if the jar is missing or a benchmark fails (JMH -foe). About 25 min with the
# defaults; numbers from a shared machine are only good as same-run ratios.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/benchmarks/target/benchmarks.jar
OUT=${OUT:-$ROOT/benchmarks/results}
STAMP=${STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}
JMH_RUN=${JMH_RUN:--f 1 -wi 2 -w 1s -i 5 -r 2s}
HELPERS=${HELPERS:-4,8}
IN_FLIGHT=${IN_FLIGHT:-8,16}
POOL_ARGS=${POOL_ARGS:-}
[ -f "$JAR" ] || { echo "helper-session: $JAR missing: run mvn -B -q -DskipTests install" >&2; exit 2; }
mkdir -p "$OUT"
REQ=$OUT/helper-session-$STAMP-request.json
PIPE=$OUT/helper-session-$STAMP-pipelined.json

echo "helper-session: $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs" >&2
# shellcheck disable=SC2086 # JMH_RUN and POOL_ARGS are word lists
java -jar "$JAR" 'HelperPool(Baseline|Bench)\.request4?$' -foe true $JMH_RUN -prof gc \
    -p helpers="$HELPERS" $POOL_ARGS -rf json -rff "$REQ"
# shellcheck disable=SC2086
java -jar "$JAR" 'HelperPoolBaseline\.request4$|HelperPoolBench\.pipelined' -foe true $JMH_RUN -prof gc \
    -p helpers="$HELPERS" -p inFlight="$IN_FLIGHT" $POOL_ARGS -rf json -rff "$PIPE"
echo "helper-session: done $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 "$ROOT/benchmarks/helper-table.py" "$REQ" "$PIPE"
