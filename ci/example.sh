#!/usr/bin/env bash
# The main job: build, then run the example master in the foreground.
#   printf 'hello\n' | nc -N 127.0.0.1 10025     answers hello
#   bin/procmaster status --main examples/main.cf
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
. bin/procmaster-jars.sh
if ! pm_jars "$PWD"; then
  mvn -B -ntp -q -DskipTests package
fi
exec bin/procmaster run examples/master.cf --main examples/main.cf -o daemon_directory="$PWD/java/target/cmake/bin"
