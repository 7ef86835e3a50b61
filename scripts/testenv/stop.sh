#!/usr/bin/env bash
# Stops the registries scripts/testenv/setup.sh started (pid files in .tmp/testenv), checking
# each pid's command line first so a recycled pid is never signalled. Data is kept.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${SLIPWAY_TESTENV:-$REPO/.tmp/testenv}
for f in "$STATE"/registry-*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q docker-registry; then
    kill -TERM "$pid" && echo "$(basename "$f" .pid): stopped (pid $pid)"
  fi
  rm -f "$f"
done
