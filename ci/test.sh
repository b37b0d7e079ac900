#!/usr/bin/env bash
# The project's test command (README, .ci/run): build everything, run the C
# and Java suites (Java under -Xcheck:jni), check the library's exports and
# the JNI warnings, run the consumer check (examples/consumer) and the JDK 25
# smoke run, run the ASan+UBSan ctest suite, smoke-run the benchmarks; after the Maven
# install, the arm64 suite on an emulated machine (ci/arm64/run.sh; ARM64_TEST=skip leaves it out)
# and the cgroup2-tagged tests in a KVM guest (ci/kvm/cgroup2-tests.sh; KVM_TEST=skip leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."

ci/install-deps.sh
# The stock Postfix daemons are run under procmaster by PostfixDaemonsTest, PostfixDeliveryTest and
# PostfixWakeupsTest (the whole stock master.cf.dist; root only). Without the package those tests are
# skipped, and say so; a failed install does not fail the run.
if [ "$(id -u)" -eq 0 ]; then
  ci/install-postfix.sh || echo "postfix could not be installed: the Postfix*Test classes will be skipped" >&2
  # Squid's own helper programs, driven through procmaster's pools by the Squid*Test classes.
  ci/install-squid.sh || echo "squid could not be installed: the tests of Squid's own helpers will be skipped" >&2
fi

# --- arm64 (issue 15, ci/arm64/): the emulated machine's image is fetched and built (cached) while Maven builds.
arm64_image_pid=
if [ "${ARM64_TEST:-}" != skip ] && ci/arm64/install.sh; then
  arm64_image_log=$(mktemp)
  ci/arm64/image.sh >"$arm64_image_log" 2>&1 &
  arm64_image_pid=$!
fi
# --- end arm64

# install, not just verify: examples/consumer builds against the artifacts in the local repository.
mvn -B -ntp install

# --- issue 15 (armjar): both native jars. Each library exports only the JNI entry points and is an ELF
# of its machine; each jar carries it. The aarch64 one is cross-built (java/pom.xml): required where the
# cross compiler is installed (ci/install-deps.sh installs it), reported as skipped where it is not.
check_native() { # platform library ELF-machine nm
  local platform=$1 so=$2 machine=$3 nm=$4 exports got listing name j found=0
  exports=$("$nm" -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
  if [ "$exports" != "JNI_OnLoad JNI_OnUnload " ]; then
    echo "$platform libprocmaster.so exports more than the JNI entry points: $exports" >&2
    exit 1
  fi
  got=$(readelf -h "$so" | sed -n 's/^ *Machine: *//p')
  [ "$got" = "$machine" ] || { echo "$platform libprocmaster.so is an ELF for '$got', not '$machine'" >&2; exit 1; }
  for j in java/target/procmaster-*-"$platform".jar; do
    [ -f "$j" ] || continue
    found=1
    # The listing first: grep -q in a pipe would stop unzip with SIGPIPE, and pipefail would fail the check.
    listing=$(unzip -l "$j")
    grep -q "META-INF/native/$platform/libprocmaster.so" <<<"$listing" || { echo "$j lacks the library" >&2; exit 1; }
    if grep -q '\.class$' <<<"$listing"; then echo "$j holds classes" >&2; exit 1; fi
    name=$(unzip -p "$j" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Automatic-Module-Name: //p')
    [ "$name" = "io.procmaster.natives.${platform//-/.}" ] || { echo "$j: Automatic-Module-Name '$name'" >&2; exit 1; }
  done
  [ "$found" = 1 ] || { echo "no java/target/procmaster-*-$platform.jar" >&2; exit 1; }
  echo "$platform: exports: $exports; machine: $got; jar: the library only, module io.procmaster.natives.${platform//-/.}"
}
check_native linux-x86_64 java/target/classes/META-INF/native/linux-x86_64/libprocmaster.so \
  "Advanced Micro Devices X86-64" nm
if command -v aarch64-linux-gnu-gcc >/dev/null; then
  check_native linux-aarch64 java/target/native-linux-aarch64/META-INF/native/linux-aarch64/libprocmaster.so \
    AArch64 "$(command -v aarch64-linux-gnu-nm || echo nm)"
else
  echo "linux-aarch64: no aarch64-linux-gnu-gcc, so no aarch64 jar was built (the build said so): not checked"
fi
# --- end issue 15 (armjar)

# --- arm64 (issue 15, ci/arm64/run.sh): ctest, a Java smoke test and the spawn benchmark on an emulated arm64 machine.
if [ -n "$arm64_image_pid" ]; then
  wait "$arm64_image_pid" || { cat "$arm64_image_log"; echo "arm64: the background image build failed; run.sh tries again" >&2; }
  rm -f "$arm64_image_log"
fi
ci/arm64/run.sh
# --- end arm64

# --- issue 14 (kvm, ci/kvm/): the cgroup2-tagged tests in a guest whose cgroups are cgroup2 alone
# (the host's pids and memory may be v1's); KVM_TEST=skip leaves it out, no usable kvm emulates (README).
ci/kvm/cgroup2-tests.sh
# --- end kvm

# -Xcheck:jni writes its warnings to the forked JVM's stdout, which surefire keeps; java/target/kvm/
# holds the guest's reports (the cgroup2 runs of the cgroup natives, also under -Xcheck:jni; absent
# when that step was skipped). Only directories that exist are searched: grep exits 2 for a missing
# one even when it found a warning elsewhere, which the "if" would take for a clean run.
jni_reports=()
for d in java/target/surefire-reports cli/target/surefire-reports micrometer/target/surefire-reports java/target/kvm; do
  if [ -d "$d" ]; then jni_reports+=("$d"); fi
done
if [ ${#jni_reports[@]} -gt 0 ] && grep -rlE 'WARNING in native method|FATAL ERROR in native method|JNI call made' \
     "${jni_reports[@]}"; then
  echo "-Xcheck:jni reported problems (files above)" >&2
  exit 1
fi
echo "-Xcheck:jni: no warnings"

# The library as a user's project gets it: class path, module path and shaded, JDK 17 and 25.
examples/consumer/run.sh
# The suite's cross-section on JDK 25 (reported and skipped where none is installed).
ci/jdk25-smoke.sh

ci/sanitize.sh
ci/fuzz.sh

if [ -x ci/bench-smoke.sh ]; then
  ci/bench-smoke.sh
fi

# One closing line for the whole run: the Java tests (surefire) and the C tests (ctest).
python3 - <<'PY'
import glob, re
passed = failed = skipped = 0
reports = (glob.glob("*/target/surefire-reports/TEST-*.xml")
           + glob.glob("java/target/surefire-reports/CTestResults.xml"))
for f in reports:
    head = re.search(r"<testsuite [^>]*", open(f, encoding="utf-8").read(4000)).group(0)
    get = lambda k: int((re.search(k + r'="(\d+)"', head) or re.search("x(0)", "x0")).group(1))
    bad = get("failures") + get("errors")
    passed += get("tests") - bad - get("skipped") - get("disabled")
    failed += bad
    skipped += get("skipped") + get("disabled")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
