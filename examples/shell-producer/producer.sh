#!/usr/bin/env bash
# Mirrors CI jobs into a TaskFlow flow with the official Temporal CLI (`temporal`) and jq.
#
# Usage: producer.sh <flow-id> <job>=<command>...   e.g. producer.sh pr-1234 lint='npm run lint' unit='npm test'
# Runs each job's command in turn and reports it; then finishes the flow, which ends failed if a job failed.
# The Temporal CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; TASKFLOW_TASK_QUEUE names the task queue
# (default taskflow).
# Exit codes: 0 done, 1 error, 3 the flow had already ended.
set -euo pipefail

flow=${1:?Usage: producer.sh <flow-id> <job>=<command>...}
shift
queue=${TASKFLOW_TASK_QUEUE:-taskflow}

# docs:start update
# update <name> <update-id> <json>: sends one update and prints its answer. A transient failure is
# retried with the same update id, which the flow applies once; a rejection or an ended flow is not.
update() {
  local attempt out
  for attempt in 1 2 3 4 5; do
    if out=$(temporal workflow update execute -w "$flow" --name "$1" --update-id "$2" --input "$3" -o json 2>&1); then
      printf '%s\n' "$out"
      return 0
    fi
    case $out in
      *"workflow execution already completed"*) echo "Flow $flow has already ended." >&2; return 3 ;;
      *"(type: "* | *"workflow not found"*) printf '%s\n' "$out" >&2; return 1 ;;
    esac
    sleep "$attempt"
  done
  printf '%s\n' "$out" >&2
  return 1
}
# docs:end update

# docs:start create
# Creates the flow with the first job's report, or reports to it if it exists (update-with-start).
first=${1%%=*}
if ! out=$(temporal workflow execute-update-with-start --type mirroredFlow --task-queue "$queue" \
  --workflow-id "$flow" --id-conflict-policy UseExisting --id-reuse-policy RejectDuplicate \
  --static-summary "CI run $flow" --static-details "**TaskFlow** mirrored flow · reported by producer.sh" \
  --input "$(jq -nc --arg key "$flow" '{lookupKey: $key, goal: "CI run \($key)", autoComplete: false}')" \
  --update-name report --update-id "$flow/$first/running" \
  --update-input "$(jq -nc --arg task "$first" '{taskId: $task, status: "running", lease: "30m"}')" -o json 2>&1); then
  case $out in
    *"already finished"*) echo "Flow $flow has already ended." >&2; exit 3 ;;  # WorkflowAlreadyStarted
    *) printf '%s\n' "$out" >&2; exit 1 ;;
  esac
fi
# docs:end create

# docs:start jobs
for spec in "$@"; do
  job=${spec%%=*}
  running=$(jq -nc --arg task "$job" '{taskId: $task, status: "running", lease: "30m"}')
  update report "$flow/$job/running" "$running" >/dev/null
  if sh -c "${spec#*=}"; then status=succeeded; else status=failed; fi
  update report "$flow/$job/$status" "$(jq -nc --arg task "$job" --arg status "$status" \
    '{taskId: $task, status: $status, eventId: "\($task)/\($status)"}')" >/dev/null
done
# docs:end jobs

# docs:start finish
# Finish only if nothing changed since we read the record: the revision check.
revision=$(temporal workflow query -w "$flow" --name flowRecord -o json | jq '.queryResult[0].revision')
update finish "$flow/finish" "{\"expectedRevision\": $revision}" | jq -c '{applied: .result.applied}'
# docs:end finish
