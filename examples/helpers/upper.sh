#!/bin/sh
# An example helper for a pool with concurrency (channel ids): says hello once,
# then answers every "<id> <text>" line with "<id> OK <TEXT>"; "<id> bad" gets ERR.
# It exits at end of file on stdin, as every well-behaved helper does.
echo ready
while read -r id text; do
    case "$text" in
        bad) printf '%s ERR message="cannot shout that"\n' "$id" ;;
        *)   printf '%s OK %s\n' "$id" "$(printf '%s' "$text" | tr 'a-z' 'A-Z')" ;;
    esac
done
