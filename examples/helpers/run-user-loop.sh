#!/usr/bin/env bash
# Runs the user-loop example from a checkout: the same pool of examples/helpers/upper.sh helpers as
# run.sh, driven by one plain application thread (LoopDriver.runOnce), with no procmaster thread.
EXAMPLE=UserLoopHelperExample exec "$(dirname "$0")/run.sh" "$@"
