#!/usr/bin/env bash
# Runs the helper-pool example from a checkout: builds the jars when they are missing, then
# starts a pool of examples/helpers/upper.sh helpers and sends it a few requests.
set -euo pipefail
cd "$(dirname "$0")/../.."
v=0.1.0-SNAPSHOT
if [ ! -f java/target/procmaster-$v.jar ] || [ ! -d java/target/lib ]; then
  mvn -B -ntp -q -pl java -DskipTests package
fi
exec java -cp "java/target/procmaster-$v.jar:java/target/procmaster-$v-linux-x86_64.jar:java/target/lib/*" \
  io.procmaster.helper.example.HelperPoolExample examples/helpers/upper.sh "$@"
