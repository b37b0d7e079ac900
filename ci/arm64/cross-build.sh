#!/usr/bin/env bash
# ci/arm64/cross-build.sh - the aarch64 native tree and classifier jar, where the Maven build left none.
#
# The Maven build (java/pom.xml) is meant to leave the cross-built CMake tree at
# java/target/cmake-linux-aarch64/ (the layout of java/target/cmake/, ctest files included) and
# java/target/procmaster-<version>-linux-aarch64.jar holding META-INF/native/linux-aarch64/
# libprocmaster.so. Where either is absent this script makes them the same way: CMake with
# cmake/toolchain-linux-aarch64.cmake and the options java/pom.xml passes for x86_64, then the jar
# by hand (the library only, Automatic-Module-Name io.procmaster.natives.linux.aarch64, as the
# pom's native-jar execution makes it). Present ones are left alone.
#
# usage: ci/arm64/cross-build.sh      (after mvn install: it reads the version from the main jar)
# exit:  0 both present; 1 no cross compiler (aarch64-linux-gnu-gcc), or the build failed
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=$root/java/target
tree=$target/cmake-linux-aarch64
main_jar=$(ls "$target"/procmaster-*.jar 2>/dev/null | grep -Ev -- '-(sources|javadoc|tests|linux-[a-z0-9_]+)\.jar$' | head -1 || true)
[ -n "$main_jar" ] || { echo "arm64 cross-build: no java/target/procmaster-<version>.jar: run mvn install first" >&2; exit 1; }
version=$(basename "$main_jar" .jar); version=${version#procmaster-}
jar=$target/procmaster-$version-linux-aarch64.jar

if [ ! -f "$tree/CTestTestfile.cmake" ] || [ ! -x "$tree/bin/pm-echo" ]; then
  command -v aarch64-linux-gnu-gcc >/dev/null || { echo "arm64 cross-build: aarch64-linux-gnu-gcc missing (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 1; }
  echo "arm64 cross-build: the Maven build left no $tree: building it"
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  cmake -S "$root/native" -B "$tree" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-linux-aarch64.cmake" \
    -DJAVA_HOME="$java_home" -DNATIVE_OUT="$target/native-linux-aarch64/META-INF/native/linux-aarch64" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tree.log" 2>&1 \
    && cmake --build "$tree" -j2 >>"$tree.log" 2>&1 \
    || { tail -30 "$tree.log" >&2; echo "arm64 cross-build: the CMake build failed (log above, $tree.log)" >&2; exit 1; }
fi
if [ ! -f "$jar" ]; then
  # Where this script's CMake run puts it, else wherever the Maven build did.
  so=$(find "$target/native-linux-aarch64" "$target" -path '*/META-INF/native/linux-aarch64/libprocmaster.so' 2>/dev/null | head -1)
  [ -n "$so" ] || { echo "arm64 cross-build: no META-INF/native/linux-aarch64/libprocmaster.so under $target" >&2; exit 1; }
  echo "arm64 cross-build: the Maven build left no $jar: packing it from $so"
  printf 'Automatic-Module-Name: io.procmaster.natives.linux.aarch64\n' >"$target/native-linux-aarch64.mf"
  jar --create --file "$jar" --manifest "$target/native-linux-aarch64.mf" -C "${so%/META-INF/native/linux-aarch64/libprocmaster.so}" META-INF/native
fi
file -b "$tree/bin/pm-echo" | grep -q 'ARM aarch64' || { echo "arm64 cross-build: $tree/bin/pm-echo is not an aarch64 binary" >&2; exit 1; }
unzip -l "$jar" | grep -q 'META-INF/native/linux-aarch64/libprocmaster.so' || { echo "arm64 cross-build: $jar lacks the library" >&2; exit 1; }
echo "arm64 cross-build: $tree, $jar"
