import { describeForUi, describeStartForUi } from '../../src/flow/details';
import { activitySummary } from '../../src/flow/tasks';
import { newFlowRecord } from '../../src/model/new-record';
import type { FlowRecord, TaskRecord } from '../../src/model/records';
import { summarizeTasks } from '../../src/model/status';

function flow(fields: Partial<FlowRecord>, tasks: TaskRecord[] = []): FlowRecord {
  const record = newFlowRecord({
    flowId: 'documentApproval-1a2b3c4d',
    runId: 'run',
    flowType: 'documentApproval',
    syncMode: 'managed',
    status: 'running',
    goal: 'Publish',
    lookupKey: 'doc-1',
    createdAt: '2026-05-04T10:00:00.000Z',
  });
  return { ...record, ...fields, tasks, taskSummary: summarizeTasks(tasks) };
}

function task(fields: Partial<TaskRecord>): TaskRecord {
  return {
    childFlowId: null,
    taskId: 'resize-1',
    flowId: 'f',
    name: 'resize',
    kind: 'resize',
    externalId: null,
    status: 'running',
    attempt: 1,
    progressSummary: null,
    terminalSummary: null,
    terminalOutcome: null,
    error: null,
    createdAt: '2026-05-04T10:00:00.000Z',
    startedAt: null,
    endedAt: null,
    lastEventAt: null,
    ...fields,
  };
}

test('a waiting flow says what it waits for and how to resume it, its JSON in code spans that copy as valid JSON', () => {
  const wait = { for: 'approval', description: 'Send {"approved": true, "approver": "<your name>"} to publish' };
  const details = describeForUi(flow({ status: 'waiting', revision: 6, currentStep: 'approval', wait }));
  expect(details).toBe(
    [
      '**waiting** · revision 6 · managed flow',
      'Step: approval',
      'Waiting for: approval — Send `{"approved": true, "approver": "<your name>"}` to publish',
      'Resume with `taskflow flow resume documentApproval-1a2b3c4d --data \'{"approved": true, "approver": "<your name>"}\'`',
      '',
      'Tasks: 0 total · 0 active · 0 issues',
    ].join('\n'),
  );
  const data = /--data '(.*)'`$/m.exec(details)![1]!;
  expect(JSON.parse(data)).toEqual({ approved: true, approver: '<your name>' });

  // A hint without valid JSON (or with a quote the shell would trip on) keeps a placeholder to fill in.
  const loose = describeForUi(flow({ status: 'waiting', wait: { for: 'approval', description: 'Send {"approved": true|false}' } }));
  expect(loose).toContain('Waiting for: approval — Send `{"approved": true|false}`');
  expect(loose).toContain("--data '<json>'`");
  const quoted = describeForUi(flow({ status: 'waiting', wait: { for: 'x', description: `{"note": "it's"}` } }));
  expect(quoted).toContain("--data '<json>'`");
  expect(describeForUi(flow({ status: 'waiting', wait: { for: 'x', description: 'plain *words*' } }))).toContain('Waiting for: x — plain \\*words\\*');
});

test('a failed flow names its failing tasks with their errors, managed or mirrored', () => {
  const tasks = [
    task({ taskId: 'lint', name: 'lint', kind: 'ci', status: 'succeeded' }),
    task({ taskId: 'e2e', name: 'e2e', kind: 'ci', status: 'failed', error: 'exit code 2' }),
    task({ taskId: 'deploy', name: 'deploy', kind: 'ci', status: 'lost' }),
  ];
  const mirrored = describeForUi(flow({ syncMode: 'mirrored', status: 'failed', error: 'Task e2e failed.', endedAt: '2026-05-04T10:20:00.000Z' }, tasks));
  expect(mirrored).toContain('Error: Task e2e failed.\nFailed task: e2e · ci · failed — exit code 2\nFailed task: deploy · ci · lost\nEnded');
  expect(mirrored).not.toContain('Failed task: lint');
  const managed = describeForUi(flow({ status: 'failed', error: 'disk full' }, [task({ taskId: 'draftDocument-1', name: 'draftDocument', kind: 'draftDocument', status: 'failed', error: 'disk full' })]));
  expect(managed).toContain('Failed task: draftDocument (draftDocument-1) · failed — disk full');
  expect(describeForUi(flow({ status: 'running' }, tasks))).not.toContain('Failed task');
});

test('cancel intent, active tasks with their progress, and a cap on how many are listed', () => {
  const tasks = [
    task({ taskId: 'resize-1', name: 'resize', progressSummary: '40% of *big* image', attempt: 2 }),
    task({ taskId: 't1', name: 't1', kind: 'ci', status: 'queued' }),
    ...Array.from({ length: 5 }, (_, i) => task({ taskId: `n${i}`, name: `n${i}`, kind: `n${i}` })),
    task({ taskId: 'gone', status: 'failed' }),
  ];
  const details = describeForUi(flow({ cancelRequestedAt: '2026-05-04T10:11:12.345Z', cancelReason: 'stop <now>' }, tasks));
  expect(details).toContain('**Cancel requested** 2026-05-04 10:11:12 UTC — stop \\<now\\> (waiting for 7 active tasks to stop)');
  expect(details).toContain('Tasks: 8 total · 7 active · 1 issue\n- resize (resize-1) · running · attempt 2: 40% of \\*big\\* image\n- t1 · ci · queued\n');
  expect(details).toContain('- … and 2 more');
  expect(details).not.toContain('gone');
});

test('an ended flow shows its error and end time; user text cannot open Markdown constructs', () => {
  const details = describeForUi(flow({ status: 'failed', currentStep: '1. # publish', endedAt: '2026-05-04T10:20:00.000Z', error: 'boom\n[link](x)' }));
  expect(details).toContain('Step: 1\\. \\# publish');
  expect(details).toContain('Error: boom \\[link\\]\\(x\\)');
  expect(details).toContain('Ended 2026-05-04 10:20:00 UTC');
  expect(details).not.toContain('Resume with');
});

test('an open mirrored flow waiting for reports says how to end it; an id that needs quoting gets no command', () => {
  expect(describeForUi(flow({ syncMode: 'mirrored', status: 'waiting', wait: { for: 'reports' } }))).toContain(
    'Waiting for: reports\nOnce no more tasks will come, end it with `taskflow flow finish documentApproval-1a2b3c4d`',
  );
  expect(describeForUi(flow({ flowId: 'a b', status: 'waiting', wait: { for: 'approval' } }))).not.toContain('taskflow flow');
});

test('static details name the sync mode, the lookup key and the input, in code spans that hold any text', () => {
  expect(describeStartForUi({ syncMode: 'managed', flowType: 'documentApproval', lookupKey: 'doc-1', input: { title: 'a`b' } })).toBe(
    ['**TaskFlow** managed flow `documentApproval`', 'Lookup key: `doc-1`', 'Input: ``{"title":"a`b"}``'].join('\n'),
  );
  expect(describeStartForUi({ syncMode: 'mirrored', flowType: 'mirroredFlow', lookupKey: null, autoComplete: false, cancelHook: 'stopJob' })).toBe(
    [
      '**TaskFlow** mirrored flow `mirroredFlow`: records tasks another system runs; it never creates them.',
      'Lookup key: none',
      'Auto-complete: off · Cancel hook: `stopJob`',
    ].join('\n'),
  );
});

test("an activity's summary says what the task does: its name as words, and its arguments when short", () => {
  expect(activitySummary({ name: 'draftDocument', kind: 'draftDocument' }, ['Quarterly report'])).toBe('Draft document "Quarterly report"');
  expect(activitySummary({ name: 'publishDocument', kind: 'publishDocument' }, ['Q3', 'ada'])).toBe('Publish document "Q3", "ada"');
  expect(activitySummary({ name: 'Resize thumbnail', kind: 'resize_image' }, [{ width: 64 }])).toBe('Resize thumbnail {"width":64}');
  expect(activitySummary({ name: 'export_rows', kind: 'export_rows' }, [])).toBe('Export rows');
  expect(activitySummary({ name: 'exportRows', kind: 'exportRows' }, ['x'.repeat(80)])).toBe('Export rows');
});

test('a retried flow says which run it was retried from, and why', () => {
  const details = describeForUi(flow({ retriedFrom: { runId: '0199-old-run', reason: 'outbox *created*' } }));
  expect(details.split('\n')).toContain('Retried from run `0199-old-run` — outbox \\*created\\*');
  expect(describeForUi(flow({ retriedFrom: { runId: 'r', reason: null } })).split('\n')).toContain('Retried from run `r`');
});
