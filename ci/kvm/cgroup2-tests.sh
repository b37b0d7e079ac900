#!/usr/bin/env bash
# ci/kvm/cgroup2-tests.sh - the cgroup2-tagged tests of the java and cli modules, in the KVM guest
# (ci/test.sh runs it after the Maven install; README, "Platforms").
#
# The host's cgroups may be hybrid (memory and pids bound to v1), where the tests tagged
# "cgroup2" skip; the guest (ci/kvm/run.sh) has cgroup2 alone with every controller. There one
# offline Maven run (the host's ~/.m2; its writes stay in the guest) runs surefire:test with
# -Dgroups=cgroup2 in both modules, on the classes the host's install compiled, with
# -Dprocmaster.test.cgroup2.required=true (Cgroup2LimitsEnvironmentTest then fails rather than
# skips where the guest lacks a controller) and its reports in target/surefire-reports-kvm, which
# the guest copies to java/target/kvm/<module>/. The library jars this tree built are copied into
# the guest's ~/.m2 first (cli's tests load them from there; the host's copy is not touched). The JVMs run C1 only with the serial collector
# (MAVEN_OPTS, argLine.jni): under emulation C2's compilations cost more than they return. So do the
# JVMs the cli tests start themselves (a procmaster run each; -Dprocmaster.test.childJvmOptions, read
# by cli's ChildJvm): a tiered G1 one died there of SIGSEGV in its own first compiled code. Every
# JVM writes a crash report (-XX:ErrorFile) to $KVM_OUT, which outlives the guest; each is named.
# Prints one line per test class (run, failed, skipped, and the first skip reason) and a total.
#
# usage: ci/kvm/cgroup2-tests.sh     (after mvn -B install in the checkout)
# env:   KVM_TEST=skip, KVM_ACCEL, KVM_BUDGET (default 600 s) as ci/kvm/run.sh
# exit:  0 passed or skipped (a "kvm: skipped: <why>" line); else non-zero: a test failed, Maven
#        failed, the guest did not finish (ci/kvm/run.sh's "kvm: FAILED: <why>"), or the guest
#        finished but a module left no test report (1, "kvm cgroup2 tests: FAILED: no report from")
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export KVM_OUT=${KVM_OUT:-$root/java/target/kvm}
# A skipped run must not show the reports of an earlier one; ci/kvm/run.sh's guard, before rm -rf.
out=$(realpath -m "$KVM_OUT")
case "$root/" in "${out%/}/"*) echo "kvm: KVM_OUT=$out holds this checkout: it would be removed" >&2; exit 2 ;; esac
[ "$out" != "$(realpath -m ~)" ] || { echo "kvm: KVM_OUT=$out is the home directory: it would be removed" >&2; exit 2; }
rm -rf "$KVM_OUT"
jvm="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ErrorFile=$KVM_OUT/hs_err_pid%p.log"
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$jvm"
jni=$(sed -n 's:.*<argLine.jni>\(.*\)</argLine.jni>.*:\1:p' "$root/java/pom.xml")
set +e
# cli resolves the library from ~/.m2 (surefire:test packages nothing): this tree's jars go there
# first, in the guest's overlay only (the host's ~/.m2 may hold another checkout's).
"$here/run.sh" "$root" -- bash -c '
  . bin/procmaster-jars.sh
  pm_library_jar "$PWD" || { echo "kvm cgroup2 tests: no java/target/procmaster-<version>.jar (run mvn install)"; exit 1; }
  repo=$HOME/.m2/repository/io/procmaster/procmaster/$PM_VERSION
  mkdir -p "$repo" && cp java/target/procmaster-"$PM_VERSION"*.jar "$repo/" || exit 1
  mvn -B -ntp -o -fae -pl java,cli surefire:test -Dgroups=cgroup2 -Dprocmaster.test.cgroup2.required=true \
    -Dprocmaster.reports.suffix=-kvm "-DargLine.jni=$1" "-Dprocmaster.test.childJvmOptions=$2"
  status=$?
  for m in java cli; do
    [ -d "$m/target/surefire-reports-kvm" ] && mkdir -p "$KVM_OUT/$m" && cp -r "$m"/target/surefire-reports-kvm/. "$KVM_OUT/$m/"
  done
  exit $status' bash "$jni $jvm" "$jvm"
status=$?
set -e
summary=0
python3 - "$KVM_OUT" <<'PY' || summary=$?
import glob, os, sys
import xml.etree.ElementTree as ET
if not os.path.exists(os.path.join(sys.argv[1], "status")):
    sys.exit(0)   # skipped, or the guest did not finish: ci/kvm/run.sh said so
total = [0, 0, 0]
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "TEST-*.xml"))):
    suite = ET.parse(f).getroot()
    run = int(suite.get("tests", 0))
    bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    why = next((s.get("message") or (s.text or "").split("\n")[0] for s in suite.iter("skipped")), "")
    print(f"  {suite.get('name')}: {run} run, {bad} failed, {skipped} skipped" + (f" ({why})" if why else ""))
    total = [total[0] + run, total[1] + bad, total[2] + skipped]
# Both modules hold cgroup2-tagged tests: a module with no report is a fault (a wrong -Dgroups, a
# test renamed out of the tag, reports not copied), not a pass.
empty = [m for m in ("java", "cli") if not glob.glob(os.path.join(sys.argv[1], m, "TEST-*.xml"))]
for module in empty:
    print(f"  {module}: no test tagged cgroup2 ran")
print(f"kvm cgroup2 tests: {total[0]} run, {total[1]} failed, {total[2]} skipped")
for f in sorted(glob.glob(os.path.join(sys.argv[1], "hs_err_pid*.log"))):
    with open(f, errors="replace") as report:
        frame = next((l.strip("# \n") for l in report if l.startswith("# Problematic frame")), "")
        frame = next(report, "").strip("# \n") if frame else "no problematic frame"
    print(f"kvm cgroup2 tests: a JVM crashed in the guest: {f} ({frame})")
if empty:
    print("kvm cgroup2 tests: FAILED: no report from " + " and ".join(empty), file=sys.stderr)
    sys.exit(1)
PY
[ "$status" -ne 0 ] || status=$summary
exit "$status"
