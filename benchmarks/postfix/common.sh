# common.sh - what run-postfix.sh and run-procmaster.sh share: the arguments, the paths of
# the build, and cpu_ms. Sourced (POSIX sh), never run.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONNECTIONS=${1:-20000}
CLIENTS=${2:-8}
SECONDS_MAX=${3:-30}
PORT=${PORT:-10026}
WARMUP=${WARMUP:-1000}
MAXPROC=${MAXPROC:-50}
BIN=${PROCMASTER_BIN:-$ROOT/java/target/cmake/bin}
JAR=$ROOT/benchmarks/target/benchmarks.jar

# cpu_ms PID: user+system CPU time the process has used, in ms (fields 14, 15 of /proc/PID/stat).
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
