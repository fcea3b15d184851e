import { Command, Option } from 'clipanion';
import type { MirroredCreateInput, TaskReportInput } from '../../../client';
import { TASK_STATUSES, TERMINAL_OUTCOMES } from '../../../model/vocabulary';
import {
  expectRevisionOption,
  flowPaths,
  lookupArgument,
  parseDurationOption,
  parseEnum,
  parseIsoTime,
  parseRevision,
  requestIdOption,
  TaskFlowCommand,
  usage,
} from '../../options';
import type { Rendered } from '../../render/output';
import { renderWrite } from '../../render/writes';

export class FlowReportCommand extends TaskFlowCommand {
  static override paths = flowPaths('report');

  static override usage = Command.Usage({
    description: 'Record an external task update on a mirrored flow',
    details: `
      Records what an external system reports about one of its tasks (\`--task\`, \`--status\`): TaskFlow
      mirrors it and derives the flow's status from its tasks. \`--summary\` is the progress summary of an
      active status and the terminal summary of a terminal one; \`--outcome blocked\` marks a success that
      needs follow-up. An option left out keeps the task's current value.

      \`--event-id\` makes the report idempotent (a duplicate changes nothing); \`--occurred-at\` is when it
      happened at the source (a report older than the task's last event is a no-op, reason \`stale\`);
      \`--lease 10m\` marks the task lost when no report for it arrives within that time.

      \`--create\` creates the flow with id \`<lookup>\` if absent (atomically), with \`--lookup-key\`, \`--goal\`
      and \`--no-auto-complete\` (stay open until \`flow finish\`/\`flow fail\` instead of ending when all
      tasks are terminal). A flow that has ended answers \`Flow is already <status>.\`

      With \`--json\`: \`{ok, applied, reason?, flow}\`.
    `,
    examples: [
      ['Create a flow with its first task running', '$0 flow report job-17 --create --task build --status running --goal "Nightly build"'],
      ['Report progress idempotently', '$0 flow report job-17 --task build --status running --summary "3/10 steps" --event-id ev-42'],
      ['The task ended', '$0 flow report job-17 --task build --status succeeded --summary "artefacts uploaded"'],
    ],
  });

  lookup = lookupArgument();
  task = Option.String('--task', { required: true, description: 'The task id (unique within the flow)' });
  status = Option.String('--status', { required: true, description: `The task status: ${TASK_STATUSES.join(', ')}` });
  summary = Option.String('--summary', { description: 'Progress summary (active status) or terminal summary (terminal status)' });
  outcome = Option.String('--outcome', { description: 'succeeded or blocked (a success that needs follow-up)' });
  error = Option.String('--error', { description: 'The task error' });
  kind = Option.String('--kind', { description: 'The external kind of task' });
  name = Option.String('--name', { description: 'The task name' });
  externalId = Option.String('--external-id', { description: 'The id the external system uses' });
  eventId = Option.String('--event-id', { description: 'Idempotency id of this event: a duplicate changes nothing' });
  occurredAt = Option.String('--occurred-at', { description: 'When it happened at the source (ISO time; default now)' });
  lease = Option.String('--lease', { description: 'Mark the task lost when no report arrives within this duration (e.g. 10m)' });
  expectRevision = expectRevisionOption();
  requestId = requestIdOption();
  create = Option.Boolean('--create', false, { description: 'Create the flow with id <lookup> if it does not exist' });
  lookupKey = Option.String('--lookup-key', { description: 'With --create: the lookup key' });
  goal = Option.String('--goal', { description: 'With --create: the goal (default: the first task name, kind or id)' });
  noAutoComplete = Option.Boolean('--no-auto-complete', false, { description: 'With --create: stay open until flow finish or flow fail' });

  async run(): Promise<Rendered> {
    const report: TaskReportInput = {
      taskId: this.task,
      status: parseEnum('--status', this.status, TASK_STATUSES)!,
      ...defined({
        summary: this.summary,
        terminalOutcome: parseEnum('--outcome', this.outcome, TERMINAL_OUTCOMES),
        error: this.error,
        kind: this.kind,
        name: this.name,
        externalId: this.externalId,
        eventId: this.eventId,
        occurredAt: parseIsoTime('--occurred-at', this.occurredAt),
        lease: parseDurationOption('--lease', this.lease),
      }),
    };
    const expectedRevision = parseRevision(this.expectRevision);
    if (!this.create) {
      const needsCreate = [this.lookupKey !== undefined && '--lookup-key', this.goal !== undefined && '--goal', this.noAutoComplete && '--no-auto-complete'].filter(Boolean);
      if (needsCreate.length > 0) throw usage(`${needsCreate.join(', ')} ${needsCreate.length > 1 ? 'only apply' : 'only applies'} with --create.`);
    }
    const create: MirroredCreateInput | undefined = this.create
      ? defined({ lookupKey: this.lookupKey, goal: this.goal, autoComplete: this.noAutoComplete ? false : undefined })
      : undefined;
    return this.withClient(async (client) => {
      const outcome = await client.report(this.lookup, report, { expectedRevision, requestId: this.requestId, ...(create ? { create } : {}) });
      const { flow } = outcome;
      return renderWrite(outcome, `Recorded task ${report.taskId} ${report.status} on ${flow.flowId}; the flow is ${flow.status} at revision ${flow.revision}.`);
    });
  }
}

/** The object without its undefined fields: an option left out keeps the task's value. */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
