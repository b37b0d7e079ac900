#!/usr/bin/env bash
# Runs the helper-pool example from a checkout: builds the jars when they are missing, then
# starts a pool of examples/helpers/upper.sh helpers and sends it a few requests.
# env: EXAMPLE, the example class in io.procmaster.helper.example (default HelperPoolExample).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bin/procmaster-jars.sh
if ! pm_jars "$PWD"; then
  mvn -B -ntp -q -DskipTests package
  pm_jars "$PWD"
fi
exec java --enable-native-access=ALL-UNNAMED -cp "$PM_LIB/*" \
  "io.procmaster.helper.example.${EXAMPLE:-HelperPoolExample}" examples/helpers/upper.sh "$@"
