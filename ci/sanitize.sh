#!/usr/bin/env bash
# Builds the C core, the child library and their ctest suite with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite.
# Any sanitizer report fails the run (-fno-sanitize-recover, halt_on_error).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/target/sanitize}
rm -rf "$build"
cmake -S "$here/native" -B "$build" -DPROCMASTER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
(cd "$build" && ctest --output-on-failure --timeout 120)
echo "sanitize: ASan+UBSan ctest suite clean"
