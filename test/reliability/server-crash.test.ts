import { serverCrash } from './scenarios/server-crash';

test('SIGKILLing the dev server mid-run and restarting it on the same file: every flow resumes, revisions intact', async () => {
  const metrics = await serverCrash(process.env.TEMPORAL_CLI!, { flows: 6 });
  expect(metrics.notes).toEqual([]);
  expect(metrics).toMatchObject({ faults: 1, flows: 6, lost: 0, duplicated: 0, stuck: 0 });
}, 240_000);
