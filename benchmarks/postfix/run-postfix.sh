#!/bin/sh
# run-postfix.sh - benchmark 5, the Postfix side: the real Postfix master(8)
# serving pm-echo on demand on 127.0.0.1:PORT, driven by the Java load generator
# (io.procmaster.bench.load.EchoLoad). Loopback only; bounded count and time.
#
# usage: benchmarks/postfix/run-postfix.sh [CONNECTIONS [CLIENTS [SECONDS]]]
#   env: PORT (10026), MAXPROC (50), KEEP=1 keeps the private directory,
#        WARMUP (1000: connections before the counted ones, not counted),
#        SERVICE_ARGS (appended to pm-echo's master.cf line, e.g. "-o max_use=100000").
# Needs root (master(8) runs as root) and the build (mvn -DskipTests verify).
# Installs Debian's postfix when missing, with the "No configuration" preset,
# so the system's own mail setup is never touched: everything below lives in a
# private directory (main.cf, master.cf, queue, data, daemon directory) and the
# master is started with -c on it, in the foreground (-d), and stopped at exit.
# The master's CPU: EchoLoad's echoload-cpu lines (stdout; phase=all: warm-up
# included, phase=counted: after the warm-up), and on stderr the CPU during the
# load and since the master's start (master(8) only: its children are not in it).
set -eu

. "$(dirname "$0")/common.sh"
MASTER=/usr/lib/postfix/sbin/master

[ -x "$BIN/pm-echo" ] && [ -f "$JAR" ] || { echo "run-postfix: build first: mvn -B -q -DskipTests verify" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run-postfix: master(8) must run as root" >&2; exit 2; }

"$ROOT/ci/install-postfix.sh"
VERSION=$(postconf -d -h mail_version 2>/dev/null || echo unknown)

DIR=$(mktemp -d /tmp/pm-postfix.XXXXXX)
MPID=
cleanup() {
    if [ -n "$MPID" ] && kill -0 "$MPID" 2>/dev/null; then
        kill -TERM "$MPID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$MPID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$MPID" 2>/dev/null || true
    fi
    [ "${KEEP:-0}" = 1 ] && echo "run-postfix: kept $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# master(8) runs "daemon_directory/command": pm-echo is copied into a private
# daemon directory (absolute commands are not supported there).
chmod 755 "$DIR"
mkdir -p "$DIR/conf" "$DIR/queue/pid" "$DIR/data" "$DIR/libexec"
cp "$BIN/pm-echo" "$DIR/libexec/pm-echo"
chown postfix "$DIR/data"
cat > "$DIR/conf/main.cf" <<EOT
compatibility_level = 3.6
queue_directory = $DIR/queue
data_directory = $DIR/data
daemon_directory = $DIR/libexec
command_directory = /usr/sbin
mail_owner = postfix
inet_interfaces = loopback-only
inet_protocols = ipv4
myhostname = localhost.localdomain
mydestination =
default_process_limit = $MAXPROC
EOT
# service type private unpriv chroot wakeup maxproc command
cat > "$DIR/conf/master.cf" <<EOT
127.0.0.1:$PORT inet n - n - $MAXPROC pm-echo${SERVICE_ARGS:+ $SERVICE_ARGS}
EOT

"$MASTER" -d -c "$DIR/conf" &
MPID=$!
# Wait for the listener (master binds it before serving).
i=0
until java -cp "$JAR" io.procmaster.bench.load.EchoLoad --port "$PORT" --probe 2>/dev/null; do
    i=$((i + 1))
    kill -0 "$MPID" 2>/dev/null || { echo "run-postfix: master exited" >&2; MPID=; exit 1; }
    [ $i -lt 50 ] || { echo "run-postfix: no listener on 127.0.0.1:$PORT" >&2; exit 1; }
    sleep 0.2
done
echo "run-postfix: Postfix $VERSION master pid $MPID serving pm-echo on 127.0.0.1:$PORT (maxproc $MAXPROC)" >&2
cpu0=$(cpu_ms "$MPID")
rc=0
java -Xms64m -cp "$JAR" io.procmaster.bench.load.EchoLoad --port "$PORT" --connections "$CONNECTIONS" \
    --clients "$CLIENTS" --seconds "$SECONDS_MAX" --warmup "$WARMUP" --watch-pid "$MPID" --label "postfix-$VERSION" || rc=$?
cpu1=$(cpu_ms "$MPID")
echo "run-postfix: master CPU during the load (warm-up included): $(( cpu1 - cpu0 )) ms; since its start: $cpu1 ms" >&2
exit $rc
