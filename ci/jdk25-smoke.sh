#!/usr/bin/env bash
# A smoke run of the Java suite on JDK 25 (README, "JDK 17 to 25"): the classes built for JDK 17
# by the main run, a cross-section of the tests (the JNI boundary, spawn and reap beside
# ProcessBuilder, the loop, a master serving, a helper pool, the module descriptor, the command
# line), forked on JDK 25 with -Xcheck:jni and the native-access flag. Fails when Maven fails, when
# a listed class left no report, when a report shows a failure, or on a JVM warning. A machine
# without JDK 25 is reported, not failed.
# usage: ci/jdk25-smoke.sh   (after mvn install)
# env:   JDK25  a JDK 25 home (default /usr/lib/jvm/temurin-25-jdk-amd64)
set -euo pipefail
cd "$(dirname "$0")/.."
jdk25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
if [ ! -x "$jdk25/bin/java" ]; then
  echo "jdk25 smoke: no JDK 25 at $jdk25: skipped (set JDK25=<home>)"
  exit 0
fi
"$jdk25/bin/java" -version 2>&1 | head -1
java_tests=(os.jni.NativeAvailabilityTest os.SpawnFailureTest os.ProcessBuilderCoexistenceTest os.EventLoopTest
            master.MasterSmokeTest master.MasterBuilderTest helper.HelperPoolFeatureTest ModuleDescriptorTest)
cli_tests=(cli.ControlCommandTest cli.VersionTest)
reports=target/surefire-reports-jdk25
rm -rf "java/$reports" "cli/$reports"
list=$(printf '%s,' "${java_tests[@]##*.}" "${cli_tests[@]##*.}")
# surefire:test alone: no recompilation, the JDK 17 class files run as they are; surefire forks the
# JVM Maven runs on, hence JAVA_HOME.
log=$(mktemp)
status=0
JAVA_HOME=$jdk25 mvn -B -ntp -o -Dstyle.color=never -pl java,cli -Dtest="${list%,}" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dprocmaster.reports.suffix=-jdk25 \
  surefire:test@default-test >"$log" 2>&1 || { echo "jdk25 smoke: maven failed:" >&2; tail -40 "$log" >&2; status=1; }
grep -E '^\[(INFO|ERROR|WARNING)\] Tests run:' "$log" || true
rm -f "$log"
for t in "${java_tests[@]}"; do
  [ -f "java/$reports/TEST-io.procmaster.$t.xml" ] || { echo "jdk25 smoke: $t left no report" >&2; status=1; }
done
for t in "${cli_tests[@]}"; do
  [ -f "cli/$reports/TEST-io.procmaster.$t.xml" ] || { echo "jdk25 smoke: $t left no report" >&2; status=1; }
done
for f in java/$reports/*.txt cli/$reports/*.txt; do
  [ -f "$f" ] || continue
  if grep -qE 'FAILURE|Errors: [1-9]|Failures: [1-9]' "$f"; then echo "jdk25 smoke: failed: $f" >&2; status=1; fi
done
if grep -rlE 'WARNING in native method|FATAL ERROR in native method|WARNING: A restricted method|VM warning' \
     "java/$reports/" "cli/$reports/" 2>/dev/null; then
  echo "jdk25 smoke: JVM warnings (files above)" >&2
  status=1
fi
grep -h 'java.version" value="[^"]*' -o "java/$reports"/TEST-*.xml 2>/dev/null | sort -u | sed 's/^/jdk25 smoke: ran on /' || true
[ "$status" -eq 0 ] && echo "jdk25 smoke: passed"
exit "$status"
