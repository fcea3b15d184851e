import type { ChildFlowNode } from '../../src/client';
import { cancelledChildLines, childTreeLines } from '../../src/cli/render/children';

const node = (flowId: string, status: ChildFlowNode['status'], children?: ChildFlowNode[]): ChildFlowNode => ({
  flowId,
  taskId: flowId.split('/').pop()!,
  flowType: 'buildPackage',
  status,
  goal: `Build ${flowId}`,
  taskSummary: status === 'queued' ? null : { total: 4, active: status === 'running' ? 1 : 0, terminal: 3, failures: status === 'failed' ? 1 : 0 },
  ...(children ? { children } : {}),
});

test('a two-level tree: counts by status, one line per child, grandchildren indented under their parent', () => {
  const tree = [
    node('r/a', 'succeeded', [node('r/a/x', 'succeeded'), node('r/a/y', 'failed')]),
    node('r/b', 'running', [node('r/b/z', 'running')]),
    node('r/c', 'queued'),
  ];
  expect(childTreeLines(tree, 2)).toEqual([
    'Child flows: 3 · 1 succeeded · 1 running · 1 queued (2 levels)',
    '  ├─ r/a  succeeded  tasks 0 active/4 total · 0 issues  Build r/a',
    '  │  ├─ r/a/x  succeeded  tasks 0 active/4 total · 0 issues  Build r/a/x',
    '  │  └─ r/a/y  failed  tasks 0 active/4 total · 1 issue  Build r/a/y',
    '  ├─ r/b  running  tasks 1 active/4 total · 0 issues  Build r/b',
    '  │  └─ r/b/z  running  tasks 1 active/4 total · 0 issues  Build r/b/z',
    '  └─ r/c  queued  not started  Build r/c',
  ]);
  expect(childTreeLines([], 1)).toEqual([]);
});

test('user text in the tree and the cancel lines is sanitised', () => {
  expect(childTreeLines([node('r/\u001b[31mred', 'succeeded')], 1)[1]).toBe('  └─ r/red  succeeded  tasks 0 active/4 total · 0 issues  Build r/red');
  expect(cancelledChildLines([{ flowId: 'p/c-1', status: 'cancelled' }])).toEqual(['Child flow p/c-1: cancelled.']);
});
