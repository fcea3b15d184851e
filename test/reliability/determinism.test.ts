import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { bundleFlows } from '../../src/worker';

Runtime.install({ logger: new DefaultLogger('ERROR') });

const histories = path.join(__dirname, '..', 'fixtures', 'histories');

test('the replay guard catches a deliberately non-deterministic change to a shipped flow', async () => {
  const workflowBundle = await bundleFlows(path.join(__dirname, '..', 'fixtures', 'nondeterministic'));
  const history = temporal.api.history.v1.History.decode(fs.readFileSync(path.join(histories, 'greeting.history.bin')));
  const replay = Worker.runReplayHistory({ workflowBundle }, history, 'greeting');
  await expect(replay).rejects.toThrow(/[Nn]ondeterminism/);
}, 60_000);
