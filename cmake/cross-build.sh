#!/usr/bin/env bash
# Cross-builds the native tree for a foreign platform, for its classifier jar
# (run by the Maven build, java/pom.xml profile cross-linux-aarch64).
#
# usage: cmake/cross-build.sh PLATFORM COMPILER TOOLCHAIN_FILE SOURCE BUILD_DIR JAR_ROOT JAVA_HOME JAR
#   e.g. linux-aarch64 aarch64-linux-gnu-gcc cmake/toolchain-linux-aarch64.cmake native
#        java/target/cmake-linux-aarch64 java/target/native-linux-aarch64 $JAVA_HOME
#        java/target/procmaster-<version>-linux-aarch64.jar
#
# Builds the whole tree into BUILD_DIR (the library into
# JAR_ROOT/META-INF/native/PLATFORM, the jar's only content, and the
# child programs, benchmarks and ctest suite with their CTestTestfile.cmake,
# for a machine of that platform to run) but runs nothing: this machine cannot.
# Only jni.h and jni_md.h are taken from the build's JDK: the library links
# no JDK library, and jni_md.h is one file for every Linux architecture.
#
# Without COMPILER on PATH, says so on stderr, removes BUILD_DIR, JAR_ROOT
# and the JAR of an earlier run (nothing stale is packed, found or run) and
# exits 0: the Maven build then packs no jar for PLATFORM (the jar execution
# skips an empty jar). A compiler that is there but fails fails the build.
set -euo pipefail
[ $# -eq 8 ] || { echo "usage: $0 PLATFORM COMPILER TOOLCHAIN_FILE SOURCE BUILD_DIR JAR_ROOT JAVA_HOME JAR" >&2; exit 2; }
platform=$1 compiler=$2 toolchain=$3 source=$4 build=$5 root=$6 java_home=$7 jar=$8
out=$root/META-INF/native/$platform

if ! command -v "$compiler" >/dev/null 2>&1; then
  rm -rf "$build" "$root" "$jar"
  echo "procmaster: $compiler not on PATH: the $platform native jar is SKIPPED (to build it," \
       "install the cross compiler: Debian's gcc-aarch64-linux-gnu for linux-aarch64, as ci/install-deps.sh does)" >&2
  exit 0
fi
start=$(date +%s)
mkdir -p "$build"
# Configured once; later runs only build (make re-runs cmake itself when a CMakeLists.txt changed).
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$source" -B "$build" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DJAVA_HOME="$java_home" \
    -DNATIVE_OUT="$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/cross-configure.log" 2>&1 ||
    { cat "$build/cross-configure.log" >&2; rm -f "$build/CMakeCache.txt"; echo "procmaster: configuring the $platform build failed" >&2; exit 1; }
fi
cmake --build "$build" --parallel 2 >"$build/cross-build.log" 2>&1 ||
  { cat "$build/cross-build.log" >&2; echo "procmaster: the $platform build failed" >&2; exit 1; }
echo "procmaster: $platform native tree cross-built with $compiler in $(( $(date +%s) - start )) s: $build"
