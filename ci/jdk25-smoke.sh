#!/usr/bin/env bash
# A smoke run of the Java suite on JDK 25 (README, "JDK 17 to 25"): the classes built for JDK 17
# by the main run, a cross-section of the tests (the JNI boundary, spawn and reap beside
# ProcessBuilder, the loop, a master serving, a helper pool, the command line), forked on JDK 25
# with -Xcheck:jni. A machine without JDK 25 is reported, not failed.
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
tests='NativeAvailabilityTest,SpawnFailureTest,ProcessBuilderCoexistenceTest,EventLoopTest,MasterSmokeTest,HelperPoolFeatureTest,ModuleDescriptorTest,ControlCommandTest,VersionTest'
# surefire:test alone: no recompilation, the JDK 17 class files run as they are; surefire forks the
# JVM Maven runs on, hence JAVA_HOME.
JAVA_HOME=$jdk25 mvn -B -ntp -o -Dstyle.color=never -pl java,cli \
  -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false -Dprocmaster.reports.suffix=-jdk25 \
  surefire:test@default-test 2>&1 | grep -E 'Tests run:|FAIL|BUILD|ERROR' || true
status=0
for f in java/target/surefire-reports-jdk25/*.txt cli/target/surefire-reports-jdk25/*.txt; do
  [ -f "$f" ] || continue
  grep -qE 'FAILURE|Errors: [1-9]|Failures: [1-9]' "$f" && { echo "jdk25 smoke: failed: $f" >&2; status=1; }
done
ls java/target/surefire-reports-jdk25/TEST-*.xml >/dev/null 2>&1 || { echo "jdk25 smoke: no test ran" >&2; status=1; }
if grep -rlE 'WARNING in native method|FATAL ERROR in native method|WARNING: A restricted method' \
     java/target/surefire-reports-jdk25/ cli/target/surefire-reports-jdk25/ 2>/dev/null; then
  echo "jdk25 smoke: JVM warnings (files above)" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "jdk25 smoke: passed"
exit "$status"
