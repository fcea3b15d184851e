#!/usr/bin/env bash
# Mirrors CI jobs into a TaskFlow flow with the taskflow CLI (on PATH).
# Usage: ci.sh <flow-id> <job>=<command>...   e.g. ci.sh pr-1234 lint='npm run lint' unit='npm test'
set -euo pipefail
flow=${1:?Usage: ci.sh <flow-id> <job>=<command>...}
shift

# docs:start jobs
for spec in "$@"; do
  job=${spec%%=*}
  taskflow flow report "$flow" --create --no-auto-complete --lookup-key "$flow" --task "$job" --status running --lease 30m
  if sh -c "${spec#*=}"; then status=succeeded; else status=failed; fi
  taskflow flow report "$flow" --task "$job" --status "$status" --event-id "$flow/$job/$status"
done
taskflow flow finish "$flow"   # ends it with the status its tasks derive: failed if any job failed
# docs:end jobs
