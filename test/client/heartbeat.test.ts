import type { temporal } from '@temporalio/proto';
import { lateHeartbeat } from '../../src/client/heartbeat';

type Pending = temporal.api.workflow.v1.IPendingActivityInfo;
// Protobuf timestamps as the client decodes them (seconds may be a Long; a number reads the same).
const at = (iso: string) => ({ seconds: Math.floor(Date.parse(iso) / 1000), nanos: (Date.parse(iso) % 1000) * 1e6 }) as never;
const now = new Date('2026-11-30T12:00:10.000Z');

describe('lateHeartbeat', () => {
  it('is null for a task heard from within the last seconds', () => {
    expect(lateHeartbeat({ state: 2, lastStartedTime: at('2026-11-30T12:00:00Z'), lastHeartbeatTime: at('2026-11-30T12:00:09.200Z') }, now)).toBeNull();
  });

  it('reports a started task silent for longer than 3 s, from its last heartbeat', () => {
    expect(lateHeartbeat({ state: 2, lastStartedTime: at('2026-11-30T12:00:00Z'), lastHeartbeatTime: at('2026-11-30T12:00:05.500Z') }, now)).toEqual({
      lastHeardAt: '2026-11-30T12:00:05.500Z',
      silentForMs: 4500,
      heartbeatTimeoutMs: null,
    });
  });

  it('counts from the start when the task never heartbeated, and uses half a short heartbeat timeout', () => {
    const pending: Pending = { state: 3, lastStartedTime: at('2026-11-30T12:00:08Z'), activityOptions: { heartbeatTimeout: { seconds: 2 } as never } };
    expect(lateHeartbeat(pending, now)).toEqual({ lastHeardAt: '2026-11-30T12:00:08.000Z', silentForMs: 2000, heartbeatTimeoutMs: 2000 });
    expect(lateHeartbeat({ ...pending, activityOptions: { heartbeatTimeout: { seconds: 10 } as never } }, now)).toBeNull();
  });

  it('is null for a task not started yet (scheduled, or waiting for its retry)', () => {
    expect(lateHeartbeat({ state: 1, lastStartedTime: at('2026-11-30T12:00:00Z') }, now)).toBeNull();
  });
});

describe('flow show', () => {
  it('names a running task whose heartbeat is late, and why that matters', async () => {
    const { flowShowLines } = await import('../../src/cli/render/flows');
    const { newFlowRecord } = await import('../../src/model/new-record');
    const flow = newFlowRecord({ flowId: 'f', runId: 'r', flowType: 't', syncMode: 'managed', status: 'running', goal: 'g', createdAt: '2026-11-30T12:00:00.000Z' });
    const lines = flowShowLines(
      { flow, source: 'query', executionStatus: 'RUNNING', lateHeartbeats: { 'exportRows-1': { lastHeardAt: '2026-11-30T12:00:00.000Z', silentForMs: 12_400, heartbeatTimeoutMs: null } } },
      { uiLink: null },
    );
    expect(lines).toContain('Late heartbeat: exportRows-1 last heard from 12 s ago; its worker may be gone, or its code blocks the event loop.');
  });
});
