#!/bin/sh
# compare.sh - benchmark 5, on-demand serving: procmaster against the real
# Postfix master, back to back in one session, same load generator, same
# master.cf line (127.0.0.1:PORT inet n - n - 50 pm-echo), same arguments.
# Order: procmaster, Postfix, procmaster again (AGAIN=0 skips the second
# procmaster run; it shows the run-to-run spread).
#
# usage: benchmarks/postfix/compare.sh [CONNECTIONS [CLIENTS [SECONDS]]]   (default 20000 8 30)
#   env: PORT, MAXPROC, WARMUP, LOGLEVEL, PROCMASTER_JAVA_OPTS: see run-procmaster.sh /
#        run-postfix.sh; SPAWN_RATE_LIMIT (unset: procmaster's default; 0: off, as in Postfix;
#        procmaster's default); AGAIN (1); OUT (directory for
#        the raw outputs; default a temporary one, removed at exit).
# Needs root (for Postfix's master) and the build (mvn -B -q -DskipTests verify).
#
# Prints a table: conn/s, p50, p90, p99, errors, and per procmaster run the
# ratios to Postfix (conn/s procmaster/Postfix: goal >= 1.00; p99
# procmaster/Postfix: goal <= 1.00). Then the masters' CPU (EchoLoad's
# echoload-cpu lines, from /proc/PID/stat): for the whole load (warm-up
# included) and for the counted connections only (after the warm-up), user and
# system, us per connection and the ratio to Postfix's (goal, counted: <= 1.00),
# and procmaster's CPU per thread group (loop, JIT, GC, VM, other, exited). Exit 0 when every run ran and served every
# connection without an error (whether or not the goals held); 1 when a side
# failed to run or reported connection errors; 2 on a usage/build problem.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CONNECTIONS=${1:-20000}
CLIENTS=${2:-8}
SECONDS_MAX=${3:-30}
AGAIN=${AGAIN:-1}
# Postfix's master has no spawn-rate limit; procmaster's default (100 spawns/s
# per service) throttles this service (see BENCHMARKS.md section 5), so the
# default is procmaster's own (it counts only children that exit without serving); set
# SPAWN_RATE_LIMIT=0 to turn it off as in Postfix.
SPAWN_RATE_LIMIT=${SPAWN_RATE_LIMIT-}
export SPAWN_RATE_LIMIT

if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    KEEP_OUT=1
else
    OUT=$(mktemp -d /tmp/pm-compare.XXXXXX)
    KEEP_OUT=0
fi
trap '[ "$KEEP_OUT" = 1 ] || rm -rf "$OUT"' EXIT

echo "compare: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg);" \
    "$CONNECTIONS connections after ${WARMUP:-1000} warm-up ones, $CLIENTS clients, ${SECONDS_MAX} s cap per run"

failed=0
# run NAME SCRIPT: one side; its stdout and stderr are kept in $OUT/NAME.out and shown.
run() {
    name=$1
    script=$2
    echo "compare: --- $name ($script) ---"
    rc=0
    "$HERE/$script" "$CONNECTIONS" "$CLIENTS" "$SECONDS_MAX" > "$OUT/$name.out" 2>&1 || rc=$?
    cat "$OUT/$name.out"
    if ! grep -q '^echoload ' "$OUT/$name.out"; then
        echo "compare: $name failed to run (exit $rc)" >&2
        failed=1
    elif [ "$rc" != 0 ]; then
        echo "compare: $name ran but reported connection errors (exit $rc)" >&2
        failed=1
    fi
}

run procmaster-1 run-procmaster.sh
run postfix run-postfix.sh
[ "$AGAIN" = 0 ] || run procmaster-2 run-procmaster.sh

echo "compare: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# field NAME KEY: a value from NAME's echoload line (empty if missing).
field() {
    sed -n "s/^echoload .*[ ]$2=\([^ ]*\).*/\1/p" "$OUT/$1.out" 2>/dev/null | head -1
}
printf '%-14s %9s %8s %8s %8s %7s %12s %10s\n' run conn/s p50_us p90_us p99_us errors 'conn/s ratio' 'p99 ratio'
pf_conn=$(field postfix conn_per_s)
pf_p99=$(field postfix p99_us)
names="procmaster-1 postfix"
[ "$AGAIN" = 0 ] || names="$names procmaster-2"
for n in $names; do
    conn=$(field "$n" conn_per_s)
    p99=$(field "$n" p99_us)
    if [ -z "$conn" ]; then
        printf '%-14s %9s\n' "$n" 'did not run'
        continue
    fi
    ratio_c=-
    ratio_p=-
    if [ "$n" != postfix ] && [ -n "$pf_conn" ]; then
        ratio_c=$(awk -v a="$conn" -v b="$pf_conn" 'BEGIN { printf "%.2fx", a / b }')
        ratio_p=$(awk -v a="$p99" -v b="$pf_p99" 'BEGIN { printf "%.2fx", a / b }')
    fi
    printf '%-14s %9s %8s %8s %8s %7s %12s %10s\n' "$n" "$conn" "$(field "$n" p50_us)" "$(field "$n" p90_us)" \
        "$p99" "$(field "$n" errors)" "$ratio_c" "$ratio_p"
done
echo
if [ -n "$pf_conn" ]; then
    for n in $names; do
        [ "$n" != postfix ] || continue
        conn=$(field "$n" conn_per_s)
        [ -n "$conn" ] || continue
        p99=$(field "$n" p99_us)
        awk -v n="$n" -v a="$conn" -v b="$pf_conn" -v p="$p99" -v q="$pf_p99" 'BEGIN {
            printf "goal %s: throughput %.2fx Postfix (>= 1.00: %s), p99 %.2fx Postfix (<= 1.00: %s)\n",
                n, a / b, (a >= b ? "held" : "missed"), p / q, (p <= q ? "held" : "missed") }'
    done
fi
# cpu NAME PHASE KEY: a value from NAME's echoload-cpu line of PHASE (empty if missing).
cpu() {
    sed -n "/^echoload-cpu .* phase=$2 /s/.*[ ]$3=\([^ ]*\).*/\1/p" "$OUT/$1.out" 2>/dev/null | head -1
}
echo
echo "master CPU (ms, /proc/PID/stat; all = warm-up included, counted = after the warm-up; us/conn ratio: goal <= 1.00 counted)"
printf '%-14s %8s %8s %10s %8s %8s %8s %10s %10s %10s\n' run all_ms all_us/c 'all ratio' cnt_ms cnt_usr cnt_sys cnt_us/c 'cnt ratio' conn
pf_all=$(cpu postfix all us_per_conn)
pf_cnt=$(cpu postfix counted us_per_conn)
for n in $names; do
    a=$(cpu "$n" all us_per_conn)
    c=$(cpu "$n" counted us_per_conn)
    if [ -z "$a" ] || [ -z "$c" ]; then
        printf '%-14s %8s\n' "$n" 'no CPU sample'
        continue
    fi
    ra=-
    rc=-
    if [ "$n" != postfix ] && [ -n "$pf_all" ] && [ -n "$pf_cnt" ]; then
        ra=$(awk -v a="$a" -v b="$pf_all" 'BEGIN { printf (b > 0 ? "%.2fx" : "-"), a / (b > 0 ? b : 1) }')
        rc=$(awk -v a="$c" -v b="$pf_cnt" 'BEGIN { printf (b > 0 ? "%.2fx" : "-"), a / (b > 0 ? b : 1) }')
    fi
    printf '%-14s %8s %8s %10s %8s %8s %8s %10s %10s %10s\n' "$n" "$(cpu "$n" all cpu_ms)" "$a" "$ra" \
        "$(cpu "$n" counted cpu_ms)" "$(cpu "$n" counted user_ms)" "$(cpu "$n" counted sys_ms)" "$c" "$rc" \
        "$(cpu "$n" counted connections)"
done
echo
echo "procmaster master CPU per thread group (ms; gone = threads that exited meanwhile)"
printf '%-14s %-8s %7s %7s %7s %7s %7s %7s\n' run phase loop jit gc vm other gone
for n in $names; do
    [ "$n" != postfix ] || continue
    for ph in all counted; do
        [ -n "$(cpu "$n" "$ph" loop_ms)" ] || continue
        printf '%-14s %-8s %7s %7s %7s %7s %7s %7s\n' "$n" "$ph" "$(cpu "$n" "$ph" loop_ms)" "$(cpu "$n" "$ph" jit_ms)" \
            "$(cpu "$n" "$ph" gc_ms)" "$(cpu "$n" "$ph" vm_ms)" "$(cpu "$n" "$ph" other_ms)" "$(cpu "$n" "$ph" gone_ms)"
    done
done
if [ -n "$pf_cnt" ]; then
    for n in $names; do
        [ "$n" != postfix ] || continue
        c=$(cpu "$n" counted us_per_conn)
        a=$(cpu "$n" all us_per_conn)
        [ -n "$c" ] || continue
        awk -v n="$n" -v c="$c" -v pc="$pf_cnt" -v a="$a" -v pa="$pf_all" 'BEGIN {
            if (pc <= 0 || pa <= 0) { printf "goal %s: master CPU per connection: Postfix sample too small\n", n; exit }
            printf "goal %s: master CPU per connection after warm-up %.2fx Postfix (<= 1.00: %s); warm-up included %.2fx\n",
                n, c / pc, (c <= pc ? "held" : "missed"), a / pa }'
    done
fi
[ "$KEEP_OUT" = 0 ] || echo "compare: raw outputs in $OUT"
exit $failed
