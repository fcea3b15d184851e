import { z } from 'zod';
import { flowShowLines } from '../../src/cli/render/flows';
import { describeForUi, openWaitsOf } from '../../src/flow/details';
import { OpenWaits, type OpenWait } from '../../src/flow/waits';
import { newFlowRecord } from '../../src/model/new-record';
import type { FlowRecord } from '../../src/model/records';

function record(fields: Partial<FlowRecord>): FlowRecord {
  const base = newFlowRecord({
    flowId: 'thumbnailBatch-1a2b3c4d',
    runId: 'run',
    flowType: 'thumbnailBatch',
    syncMode: 'managed',
    status: 'running',
    goal: 'Render',
    lookupKey: null,
    createdAt: '2026-05-04T10:00:00.000Z',
  });
  return { ...base, ...fields };
}

const approval: OpenWait = { name: 'approval', kind: 'waiting', schema: z.object({ ok: z.boolean() }), description: 'Send {"ok": true}' };
const tiff: OpenWait = { name: 'renderThumbnail-2', kind: 'blocked', schema: null, description: 'b.tiff is a TIFF', taskId: 'renderThumbnail-2' };

test('one wait keeps the single-wait shape; several are listed; a blocked task alone is only `blocked`', () => {
  const waits = new OpenWaits();
  expect(waits.fields()).toEqual({ status: 'running', wait: null, blocked: null });
  waits.add(approval);
  expect(waits.fields()).toEqual({ status: 'waiting', wait: { for: 'approval', description: 'Send {"ok": true}' }, blocked: null });
  waits.add(tiff);
  expect(waits.fields()).toEqual({
    status: 'blocked',
    wait: { waits: [{ for: 'approval', description: 'Send {"ok": true}' }, { for: 'renderThumbnail-2', description: 'b.tiff is a TIFF', blocked: true }] },
    blocked: { taskId: 'renderThumbnail-2', summary: 'b.tiff is a TIFF' },
  });
  waits.remove(approval);
  expect(waits.fields()).toEqual({ status: 'blocked', wait: null, blocked: { taskId: 'renderThumbnail-2', summary: 'b.tiff is a TIFF' } });
});

test('a resume picks the named wait, or the only one; otherwise ambiguous_wait names the open waits', () => {
  const waits = new OpenWaits();
  waits.add(approval);
  expect(waits.pick('f', undefined)).toBe(approval);
  waits.add(tiff);
  expect(waits.pick('f', 'renderThumbnail-2')).toBe(tiff);
  for (const name of [undefined, 'nope']) {
    let failure: unknown;
    try {
      waits.pick('f', name);
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ type: 'ambiguous_wait', details: [{ waits: ['approval', 'renderThumbnail-2'] }] });
  }
  expect(() => waits.add({ ...approval })).toThrow('A wait named approval is already open');
});

test('flow show and the Web UI list every open wait with the command that resumes it', () => {
  const waits = new OpenWaits();
  waits.add(approval);
  waits.add(tiff);
  const flow = record(waits.fields());
  expect(openWaitsOf(flow).map((w) => w.for)).toEqual(['approval', 'renderThumbnail-2']);

  const ui = describeForUi(flow);
  expect(ui).toContain("`taskflow flow resume thumbnailBatch-1a2b3c4d --wait approval --data '<json>'`");
  expect(ui).toContain('`taskflow flow resume thumbnailBatch-1a2b3c4d --wait renderThumbnail-2`');

  const lines = flowShowLines({ flow, source: 'query', executionStatus: 'RUNNING' }, { uiLink: null, now: Date.parse('2026-05-04T10:00:00Z') });
  expect(lines).toContain("      taskflow flow resume thumbnailBatch-1a2b3c4d --wait approval --data '<json>'");
  expect(lines).toContain('      taskflow flow resume thumbnailBatch-1a2b3c4d --wait renderThumbnail-2');
  expect(lines.find((l) => l.includes('open waits'))).toContain('approval, renderThumbnail-2');

  // One wait: the command needs no --wait.
  const single = new OpenWaits();
  single.add(tiff);
  const blockedLines = flowShowLines({ flow: record(single.fields()), source: 'query', executionStatus: 'RUNNING' }, { uiLink: null });
  expect(blockedLines.find((l) => l.includes('resume with'))).toContain('taskflow flow resume thumbnailBatch-1a2b3c4d');
  expect(blockedLines.join('\n')).not.toContain('--wait');
});
