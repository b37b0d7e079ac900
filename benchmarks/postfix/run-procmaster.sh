#!/bin/sh
# run-procmaster.sh - benchmark 5, the procmaster side: a procmaster master
# serving pm-echo on demand on 127.0.0.1:PORT, driven by the same Java load
# generator as run-postfix.sh (io.procmaster.bench.load.EchoLoad) with the same
# arguments. Loopback only; bounded count and time.
#
# usage: benchmarks/postfix/run-procmaster.sh [CONNECTIONS [CLIENTS [SECONDS]]]
#   env: PORT (10026), MAXPROC (50), KEEP=1 keeps the private directory,
#        WARMUP (1000: connections before the counted ones, not counted),
#        SERVICE_ARGS (appended to pm-echo's master.cf line, e.g. "-o max_use=100000"),
#        SPAWN_RATE_LIMIT (main.cf spawn_rate_limit; unset = procmaster's default),
#        LOGLEVEL (slf4j level of the master's log: info (default), warn, ...),
#        PROCMASTER_JAVA_OPTS (extra JVM options of the master, see bin/procmaster).
# Needs the build (mvn -DskipTests verify); root is not needed.
# Everything lives in a private directory (main.cf, master.cf, queue directory,
# the master's log); the master runs in the foreground and is stopped at exit.
# After the load, the master's `procmaster status` (spawns, throttle, ...) and
# the count of spawn lines in its log go to stderr. The master's CPU: EchoLoad's
# echoload-cpu lines (stdout; phase=all: warm-up included, phase=counted: after
# the warm-up; user/system, us per connection, per thread group) and, on stderr,
# the CPU during the load and since the master's start.
set -eu

. "$(dirname "$0")/common.sh"
LOGLEVEL=${LOGLEVEL:-info}
PM=$ROOT/bin/procmaster
. "$ROOT/bin/procmaster-jars.sh"
pm_jars "$ROOT" || true
VERSION=${PM_VERSION%-SNAPSHOT}

[ -x "$BIN/pm-echo" ] && [ -f "$JAR" ] && [ -n "$PM_JAR" ] ||
    { echo "run-procmaster: build first: mvn -B -q -DskipTests verify" >&2; exit 2; }
if java -cp "$JAR" io.procmaster.bench.load.EchoLoad --port "$PORT" --probe 2>/dev/null; then
    echo "run-procmaster: something already answers on 127.0.0.1:$PORT" >&2
    exit 1
fi

DIR=$(mktemp -d /tmp/pm-procmaster.XXXXXX)
MPID=
cleanup() {
    if [ -n "$MPID" ] && kill -0 "$MPID" 2>/dev/null; then
        "$PM" stop --main "$DIR/main.cf" >/dev/null 2>&1 || kill -TERM "$MPID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$MPID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$MPID" 2>/dev/null || true
    fi
    [ "${KEEP:-0}" = 1 ] && echo "run-procmaster: kept $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DIR/queue"
cat > "$DIR/main.cf" <<EOT
queue_directory = $DIR/queue
daemon_directory = $BIN
default_process_limit = $MAXPROC
EOT
[ -z "${SPAWN_RATE_LIMIT:-}" ] || echo "spawn_rate_limit = $SPAWN_RATE_LIMIT" >> "$DIR/main.cf"
# service type private unpriv chroot wakeup maxproc command
cat > "$DIR/master.cf" <<EOT
127.0.0.1:$PORT inet n - n - $MAXPROC pm-echo${SERVICE_ARGS:+ $SERVICE_ARGS}
EOT

PROCMASTER_JAVA_OPTS="-Dorg.slf4j.simpleLogger.defaultLogLevel=$LOGLEVEL ${PROCMASTER_JAVA_OPTS:-}" \
    "$PM" run "$DIR/master.cf" --main "$DIR/main.cf" >"$DIR/master.log" 2>&1 &
MPID=$!
# Wait for the listener (the master binds it before serving).
i=0
until java -cp "$JAR" io.procmaster.bench.load.EchoLoad --port "$PORT" --probe 2>/dev/null; do
    i=$((i + 1))
    if ! kill -0 "$MPID" 2>/dev/null; then
        echo "run-procmaster: master exited; its log:" >&2
        tail -20 "$DIR/master.log" >&2
        MPID=
        exit 1
    fi
    [ $i -lt 100 ] || { echo "run-procmaster: no listener on 127.0.0.1:$PORT" >&2; tail -20 "$DIR/master.log" >&2; exit 1; }
    sleep 0.2
done
echo "run-procmaster: procmaster $VERSION master pid $MPID serving pm-echo on 127.0.0.1:$PORT" \
    "(maxproc $MAXPROC, spawn_rate_limit ${SPAWN_RATE_LIMIT:-default}, log $LOGLEVEL)" >&2
cpu0=$(cpu_ms "$MPID")
rc=0
java -Xms64m -cp "$JAR" io.procmaster.bench.load.EchoLoad --port "$PORT" --connections "$CONNECTIONS" \
    --clients "$CLIENTS" --seconds "$SECONDS_MAX" --warmup "$WARMUP" --watch-pid "$MPID" --label "procmaster-$VERSION" || rc=$?
if ! kill -0 "$MPID" 2>/dev/null; then
    wait "$MPID" 2>/dev/null && mrc=0 || mrc=$?
    echo "run-procmaster: the master died during the load (exit $mrc); its log:" >&2
    tail -20 "$DIR/master.log" >&2
    MPID=
    exit 1
fi
{
    cpu1=$(cpu_ms "$MPID")
    echo "run-procmaster: master CPU during the load (warm-up included): $(( cpu1 - cpu0 )) ms;" \
        "since its start (the JVM's start and the probes included): $cpu1 ms"
    echo "run-procmaster: master status after the load:"
    "$PM" status --main "$DIR/main.cf" || true
    echo "run-procmaster: log lines $(wc -l < "$DIR/master.log"), spawn lines $(grep -c ' spawned ' "$DIR/master.log" || true)," \
        "WARN/ERROR lines $(grep -c -E 'WARN|ERROR' "$DIR/master.log" || true)"
    grep -E 'WARN|ERROR' "$DIR/master.log" | sort | uniq -c | sort -rn | head -5 || true
} >&2
exit $rc
