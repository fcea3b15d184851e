import { log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import { CancelRequest, PatchStateRequest, RecordPageRequest, type WriteAck } from '../model/messages';
import { recordAnswer } from '../model/record-page';
import { MAX_TASKS_PER_FLOW, taskLimitMessage } from '../model/limits';
import type { FlowRecord, TaskRecord } from '../model/records';
import { isTerminalFlow } from '../model/status';
import { DescribeFlowRequest, FailRequest, FinishRequest, ReportRequest, TaskReport, type MirroredCancelAck } from '../model/transitions';
import { checkExpectedRevision, checkWriteSize, flowFailure, flowTerminal, zodMessage } from './failures';
import { patchStateUpdate, recordQuery } from './messages';
import { describeFlowUpdate, failUpdate, finishUpdate, mirroredCancelUpdate, reportSignal, reportUpdate } from './mirrored-messages';

/** The writes a mirrored flow performs once a message passed its validator. */
export interface MirroredWrites {
  readonly record: FlowRecord;
  readonly ended: boolean;
  task(taskId: string): TaskRecord | undefined;
  tasksChangedSince(revision: number): TaskRecord[];
  activeTasks(): TaskRecord[];
  report(report: TaskReport): WriteAck;
  cancel(request: CancelRequest): Promise<MirroredCancelAck>;
  finish(result: unknown): WriteAck;
  fail(error: string): WriteAck;
  patchState(patch: Record<string, unknown>): WriteAck;
  describe(fields: { goal?: string; currentStep?: string | null }): WriteAck;
}

/**
 * The messages of a mirrored flow. Validators reject a write before it reaches history (bad
 * payload, stale expectedRevision, ended flow); handlers re-check that the flow is open, since a
 * write validated earlier in the same activation may have ended it.
 */
export function registerMirroredHandlers(flow: MirroredWrites): void {
  const parse = <T>(schema: z.ZodType<T, any>, what: string, value: unknown): T => {
    // The raw request, not the parsed one: what is accepted goes to history whole, unknown keys and all.
    checkWriteSize(what, value);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw flowFailure('invalid_input', zodMessage(what, parsed.error));
    return parsed.data;
  };
  const writable = (expectedRevision: number | undefined) => {
    checkExpectedRevision(flow.record, expectedRevision);
    if (isTerminalFlow(flow.record)) throw flowTerminal(flow.record);
  };
  const open = () => {
    if (flow.ended) throw flowTerminal(flow.record);
  };

  setHandler(recordQuery, (request?: RecordPageRequest) => recordAnswer(flow.record, RecordPageRequest.parse(request), flow), {
    description: 'The flow record: status, revision, state and its tasks (a page of them past ~1 MB: see taskPage).',
  });
  /** A report that would add a task past the limit changes nothing (spec §12). */
  const roomFor = (taskId: string) => {
    if (!flow.task(taskId) && flow.record.taskSummary.total >= MAX_TASKS_PER_FLOW) {
      throw flowFailure('task_limit', taskLimitMessage(flow.record.flowId), { limit: MAX_TASKS_PER_FLOW });
    }
  };

  setHandler(
    reportUpdate,
    (request) => {
      open();
      return flow.report(parse(TaskReport, 'Report', request));
    },
    {
      description: 'Record one external task update: { taskId, status, summary?, eventId?, occurredAt?, lease?, …, expectedRevision? }.',
      validator: (request) => {
        const report = parse(ReportRequest, 'Report', request);
        writable(report.expectedRevision);
        roomFor(report.taskId);
      },
    },
  );

  setHandler(
    reportSignal,
    (raw) => {
      const parsed = TaskReport.safeParse(raw);
      if (!parsed.success) log.warn('Ignored an invalid task report.', { error: zodMessage('Report', parsed.error) });
      else if (flow.ended) log.warn('Ignored a task report for an ended flow.', { taskId: parsed.data.taskId, status: flow.record.status });
      else if (!flow.task(parsed.data.taskId) && flow.record.taskSummary.total >= MAX_TASKS_PER_FLOW) {
        log.warn('Ignored a task report past the task limit.', { taskId: parsed.data.taskId, limit: MAX_TASKS_PER_FLOW });
      }
      else flow.report(parsed.data);
    },
    { description: 'The report update, fire-and-forget: an invalid report, or one for an ended flow, is logged and ignored.' },
  );

  setHandler(
    finishUpdate,
    ({ result }) => {
      open();
      return flow.finish(result);
    },
    {
      description: 'End an open flow with no active task, with the status its tasks derive: { expectedRevision?, result? }.',
      validator: (request) => {
        writable(parse(FinishRequest, 'Finish', request).expectedRevision);
        const stillActive = flow.activeTasks().map((t) => t.taskId);
        if (stillActive.length > 0) throw flowFailure('tasks_still_active', 'One or more child tasks are still active.', { stillActive });
      },
    },
  );

  setHandler(
    failUpdate,
    (request) => {
      open();
      return flow.fail(parse(FailRequest, 'Fail', request).error);
    },
    {
      description: 'End the flow failed; still-active tasks are recorded lost: { expectedRevision?, error }.',
      validator: (request) => writable(parse(FailRequest, 'Fail', request).expectedRevision),
    },
  );

  setHandler(
    mirroredCancelUpdate,
    (request) => {
      open();
      return flow.cancel(parse(CancelRequest, 'Cancel', request));
    },
    {
      description: 'Record the cancel intent and stop the active tasks through the cancel hook: { expectedRevision?, reason?, force? }.',
      validator: (request) => writable(parse(CancelRequest, 'Cancel', request).expectedRevision),
    },
  );

  setHandler(
    patchStateUpdate,
    (request) => {
      open();
      return flow.patchState(parse(PatchStateRequest, 'State patch', request).patch);
    },
    {
      description: 'Shallow-merge a patch into the flow state: { expectedRevision?, patch }.',
      validator: (request) => writable(parse(PatchStateRequest, 'State patch', request).expectedRevision),
    },
  );

  setHandler(
    describeFlowUpdate,
    (request) => {
      open();
      return flow.describe(parse(DescribeFlowRequest, 'Description', request));
    },
    {
      description: 'Set the goal and/or the current step: { expectedRevision?, goal?, currentStep? }.',
      validator: (request) => writable(parse(DescribeFlowRequest, 'Description', request).expectedRevision),
    },
  );
}
