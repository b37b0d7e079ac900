#!/usr/bin/env bash
# ci/arm64/payload.sh - the per-run test payload of the emulated arm64 machine, as a cpio archive.
#
# The cross-built CMake tree (java/target/cmake-linux-aarch64), the native/fuzz/corpus the
# fuzz_corpus_* tests replay, the library jar, the linux-aarch64 jar, slf4j-api from the local
# Maven repository, the smoke test (ci/arm64/smoke, compiled here with javac --release 17) and, if
# built, benchmarks.jar, each at its host path (ctest's files name absolute paths), plus
# /payload/guest.sh and /payload/env (the paths, ARM64_STEPS and the ARM64_*_LIMIT step limits).
# The archive is appended to the cached root file system's initramfs (ci/arm64/boot.sh): the
# kernel unpacks both, so no virtio disk or 9p module is needed.
# The tests' TIMEOUT properties are scaled in the copy (ARM64_TIMEOUT_SCALE, default 4): they are
# sized for native speed, and under TCG test_fdplan's thousands of forks take ~105 s of its 120 s.
#
# usage: ci/arm64/payload.sh <out.cpio>
# exit:  0 written; 1 something the run needs is missing (named)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$1
target=$root/java/target
tree=$target/cmake-linux-aarch64
. "$root/bin/procmaster-jars.sh"
pm_library_jar "$root" || { echo "arm64 payload: no java/target/procmaster-<version>.jar (run mvn install)" >&2; exit 1; }
main_jar=$PM_JAR
arm_jar=$target/procmaster-$PM_VERSION-linux-aarch64.jar
slf4j_version=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$root/pom.xml")
slf4j=${M2_REPO:-$HOME/.m2/repository}/org/slf4j/slf4j-api/$slf4j_version/slf4j-api-$slf4j_version.jar
bench=$root/benchmarks/target/benchmarks.jar
# The aarch64 tree and jar are the Maven build's (profile cross-linux-aarch64 of java/pom.xml,
# cmake/cross-build.sh), made wherever aarch64-linux-gnu-gcc is installed (ci/install-deps.sh).
for f in "$tree/CTestTestfile.cmake" "$arm_jar"; do
  [ -e "$f" ] || { echo "arm64 payload: $f missing: mvn install builds it where aarch64-linux-gnu-gcc is installed (ci/install-deps.sh)" >&2; exit 1; }
done
[ -e "$slf4j" ] || { echo "arm64 payload: $slf4j missing (mvn install downloads it)" >&2; exit 1; }
file -b "$tree/bin/pm-echo" | grep -q 'ARM aarch64' || { echo "arm64 payload: $tree/bin/pm-echo is not an aarch64 binary" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
classes=$target/arm64-smoke-classes
rm -rf "$classes"
javac --release 17 -d "$classes" -cp "$main_jar" "$here/smoke/Arm64Smoke.java"
files=("$tree" "$root/native/fuzz/corpus" "$main_jar" "$arm_jar" "$slf4j" "$classes")
[ -f "$bench" ] && files+=("$bench")
for f in "${files[@]}"; do (cd / && cp -a --parents "${f#/}" "$stage"); done
scale=${ARM64_TIMEOUT_SCALE:-4}
find "$stage$tree" -name CTestTestfile.cmake -exec \
  perl -pi -e 's/ TIMEOUT "(\d+)"/" TIMEOUT \"" . ($1 * '"$scale"') . "\""/ge' {} +

mkdir -p "$stage/payload"
install -m 0755 "$here/guest.sh" "$stage/payload/guest.sh"
{
  echo "PM_TREE='$tree'"
  echo "PM_SMOKE_CP='$main_jar:$arm_jar:$slf4j:$classes'"
  [ -f "$bench" ] && echo "PM_BENCH_CP='$arm_jar:$bench'"
  echo "ARM64_STEPS='${ARM64_STEPS:-ctest smoke bench}'"
  echo "ARM64_CTEST_LIMIT=${ARM64_CTEST_LIMIT:-300} ARM64_SMOKE_LIMIT=${ARM64_SMOKE_LIMIT:-180} ARM64_BENCH_LIMIT=${ARM64_BENCH_LIMIT:-240}"
} >"$stage/payload/env"
(cd "$stage" && find . -mindepth 1 | cpio -o -H newc --quiet) >"$out"
echo "arm64 payload: $(( $(stat -c %s "$out") / 1024 )) KiB ($tree, $(basename "$arm_jar"), timeouts x$scale)"
