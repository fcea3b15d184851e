"""Mirrors a nightly export into a TaskFlow flow with the official Temporal Python SDK (temporalio).

Usage: python producer.py <flow-id> [shards]
Reads TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default) and TASKFLOW_TASK_QUEUE
(taskflow), the variables `taskflow` reads too. Prints one JSON line: what the flow answered.
"""

import asyncio
import json
import os
import sys
import uuid
from datetime import datetime, timezone

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

# docs:start errors
# Temporal admits 10 updates in flight per execution; stay below it and queue the rest.
MAX_IN_FLIGHT = 8
# Transient: the same update id is safe to send again, the flow applies it once.
RETRY_CODES = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.RESOURCE_EXHAUSTED}


class FlowEnded(Exception):
    """The flow has ended: a flow id is never reused, so stop reporting to it."""


class Rejected(Exception):
    """The flow refused the write: `type` is revision_conflict, flow_terminal, invalid_input, ..."""

    def __init__(self, cause: ApplicationError):
        super().__init__(cause.message)
        self.type = cause.type
        self.fields = cause.details[0] if cause.details else {}


async def send(client, flow_id, name, payload, *, update_id=None, start=None):
    """Sends one update (with start: update-with-start) and returns its answer; retries with the same id."""
    update_id = update_id or str(uuid.uuid4())
    for attempt in range(6):
        operation = start() if start is not None else None  # a with-start operation is used once
        try:
            if operation is not None:
                return await client.execute_update_with_start_workflow(
                    name, payload, start_workflow_operation=operation, id=update_id
                )
            return await client.get_workflow_handle(flow_id).execute_update(name, payload, id=update_id)
        except WorkflowUpdateFailedError as err:
            if isinstance(err.cause, ApplicationError):
                raise Rejected(err.cause) from err
            raise
        except WorkflowAlreadyStartedError as err:  # update-with-start to an ended flow
            await asyncio.gather(operation.workflow_handle(), return_exceptions=True)  # it holds the same error
            raise FlowEnded(flow_id) from err
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND and "already completed" in err.message:
                raise FlowEnded(flow_id) from err  # plain update to an ended flow
            if err.status not in RETRY_CODES or attempt == 5:
                raise
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            if attempt == 5:
                raise
        await asyncio.sleep(0.2 * 2**attempt)
# docs:end errors


def revision_of(answer):
    """The flow's revision after a write: every update answers {applied, reason?, revision, status, ...}."""
    return answer["revision"]


def now():
    return datetime.now(timezone.utc).isoformat()


async def main(flow_id: str, shards: int) -> dict:
    client = await Client.connect(
        os.environ.get("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
    )
    task_queue = os.environ.get("TASKFLOW_TASK_QUEUE", "taskflow")
    handle = client.get_workflow_handle(flow_id)

    # docs:start create
    goal = f"Nightly export {flow_id}"
    create = {"lookupKey": flow_id, "goal": goal, "autoComplete": False}
    start = lambda: WithStartWorkflowOperation(  # noqa: E731
        "mirroredFlow",
        create,
        id=flow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,  # never a second flow under an ended one's id
        static_summary=goal,  # the Web UI's Summary
        static_details=f"**TaskFlow** mirrored flow · lookup key `{flow_id}` · reported by producer.py",
    )
    first = {"taskId": "extract", "status": "running", "lease": "15m", "occurredAt": now()}
    created = await send(client, flow_id, "report", first, start=start)
    # docs:end create

    # docs:start in-flight
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def report(task):
        async with in_flight:
            return await send(client, flow_id, "report", task)

    shard_reports = [{"taskId": f"shard-{n}", "status": "succeeded", "summary": f"{n * 1000} rows"} for n in range(shards)]
    answers = await asyncio.gather(*(report(task) for task in shard_reports))
    # docs:end in-flight

    # docs:start revision-check
    # Succeed the extract only if nothing changed since we looked; else look again and decide again.
    expected, conflicts = revision_of(created), 0
    while True:
        done = {"taskId": "extract", "status": "succeeded", "summary": f"{shards} shards", "expectedRevision": expected}
        try:
            extracted = await send(client, flow_id, "report", done)
            break
        except Rejected as err:
            if err.type != "revision_conflict":
                raise
            conflicts += 1
            record = await handle.query("flowRecord")  # the whole record, every task included
            if any(t["status"] == "failed" for t in record["tasks"]):
                raise
            expected = record["revision"]
    # docs:end revision-check

    # docs:start retry
    # An answer lost on the way back is recovered by sending again with the same update id.
    update_id = f"{flow_id}/verify/running"
    verify = {"taskId": "verify", "status": "running", "summary": "checking row counts"}
    first_try = await send(client, flow_id, "report", verify, update_id=update_id)
    second_try = await send(client, flow_id, "report", verify, update_id=update_id)
    assert revision_of(second_try) == revision_of(first_try), "a retried update applies once"
    await send(client, flow_id, "report", {"taskId": "verify", "status": "succeeded", "eventId": f"{flow_id}/verify"})
    # docs:end retry

    # docs:start finish
    finished = await send(client, flow_id, "finish", {"result": {"shards": shards}})
    try:
        await send(client, flow_id, "report", {"taskId": "late", "status": "running"})
        late = "applied"
    except FlowEnded:
        late = "flow_ended"  # plain update: NOT_FOUND "workflow execution already completed"
    try:
        await send(client, flow_id, "report", first, start=start)
        late_create = "applied"
    except FlowEnded:
        late_create = "flow_ended"  # update-with-start: WorkflowAlreadyStartedError
    record = await handle.query("flowRecord")
    # docs:end finish

    return {
        "flowId": flow_id,
        "createdApplied": created["applied"],
        "shardsApplied": sum(1 for a in answers if a["applied"]),
        "conflicts": conflicts,
        "extractApplied": extracted["applied"],
        "retryRevisions": [revision_of(first_try), revision_of(second_try)],
        "finishApplied": finished["applied"],
        "finishRevision": revision_of(finished),
        "lateReport": late,
        "lateCreate": late_create,
        "status": record["status"],
        "revision": record["revision"],
        "tasks": len(record["tasks"]),
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("Usage: python producer.py <flow-id> [shards]")
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20))))
