#!/usr/bin/env bash
# The consumer check (README, "Maven coordinates"; run by ci/test.sh after mvn install): builds
# this separate project against the procmaster artifacts in the local Maven repository, then runs
# it on the class path, on the module path and as a shaded jar, on JDK 17 and, where one is
# installed, on JDK 25. Each run must print "consumer check passed", a procmaster log line (the
# master's "spawned" line, through slf4j-simple) and no JVM warning (a line starting "WARNING", or
# HotSpot's "VM warning"). The runtime dependencies must be procmaster's two jars, slf4j-api and
# the provider the consumer chose.
# On JDK 25 it also runs once without the native-access flag and expects the JVM's warning: the
# check can see the warning, and the flag is what removes it.
# usage: examples/consumer/run.sh   (after mvn install in the checkout)
# env:   JDK25  a JDK 25 home (default /usr/lib/jvm/temurin-25-jdk-amd64); absent = reported, skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/procmaster-jars.sh"
pm_jars "$root" || { echo "consumer: build and install procmaster first (mvn -B install)" >&2; exit 1; }
pm_echo=$root/java/target/cmake/bin/pm-echo
[ -x "$pm_echo" ] || { echo "consumer: $pm_echo missing (build first)" >&2; exit 1; }

cd "$here"
build_log=$(mktemp)
if ! mvn -B -ntp -q -Dstyle.color=never -Dprocmaster.version="$PM_VERSION" package >"$build_log" 2>&1; then
  cat "$build_log" >&2; rm -f "$build_log"; echo "consumer: the build failed" >&2; exit 1
fi
rm -f "$build_log"

# What a consumer gets: procmaster's two jars, slf4j-api through the library, and the logging
# provider it chose itself; nothing else (README, "Maven coordinates").
deps=$(cd target/deps && ls | sort | tr '\n' ' ')
want="procmaster-$PM_VERSION-linux-x86_64.jar procmaster-$PM_VERSION.jar slf4j-api-2.0.16.jar slf4j-simple-2.0.16.jar "
if [ "$deps" != "$want" ]; then
  echo "consumer: runtime dependencies are [$deps], expected [$want]" >&2
  exit 1
fi
echo "consumer: runtime dependencies: $deps"

jar=target/procmaster-consumer-1.jar
shaded=target/procmaster-consumer-1-shaded.jar
main=io.procmaster.example.consumer.ConsumerCheck
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0

# run <label> <expect: clean|warning> <java> <args...>
run() {
  local label=$1 expect=$2 java=$3; shift 3
  local log="$out/run.log"
  if ! "$java" "$@" "$pm_echo" >"$log" 2>&1; then
    echo "consumer [$label]: FAILED (exit status); output:" >&2; sed 's/^/  /' "$log" >&2
    failures=$((failures + 1)); return
  fi
  local problems=()
  grep -q '^consumer check passed$' "$log" || problems+=("no 'consumer check passed'")
  grep -qE 'INFO io\.procmaster\.loop\.MasterLoop - spawned ' "$log" || problems+=("no procmaster log line")
  if [ "$expect" = clean ]; then
    grep -qE '^WARNING|VM warning' "$log" && problems+=("JVM warning: $(grep -m1 -E '^WARNING|VM warning' "$log")")
  else
    grep -q '^WARNING: A restricted method' "$log" || problems+=("expected the JVM's native-access warning")
  fi
  if [ ${#problems[@]} -gt 0 ]; then
    echo "consumer [$label]: FAILED: ${problems[*]}; output:" >&2; sed 's/^/  /' "$log" >&2
    failures=$((failures + 1))
  else
    echo "consumer [$label]: ok ($(head -1 "$log"))"
  fi
}

# check <java> <version label>
check() {
  local java=$1 v=$2
  run "jdk$v class path" clean "$java" --enable-native-access=ALL-UNNAMED -cp "$jar:target/deps/*" "$main"
  run "jdk$v module path" clean "$java" --enable-native-access=io.procmaster -p "$jar:target/deps" \
    -m "io.procmaster.example.consumer/$main"
  run "jdk$v shaded" clean "$java" -jar "$shaded"
}

check java 17
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ -x "$jdk25/bin/java" ]; then
  check "$jdk25/bin/java" 25
  run "jdk25 class path, no flag" warning "$jdk25/bin/java" -cp "$jar:target/deps/*" "$main"
else
  echo "consumer: no JDK 25 at $jdk25: the JDK 25 runs are skipped (set JDK25=<home>)"
fi
[ "$failures" -eq 0 ] || { echo "consumer: $failures run(s) failed" >&2; exit 1; }
echo "consumer: all runs passed"
