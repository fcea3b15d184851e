/**
 * Compile-only type tests, checked by `tsc -p tsconfig.json` (jest does not run this file): they
 * pin what callers pass (`z.input`) and what flow code receives (`z.output`).
 */
import { z } from 'zod';
import { defineFlow, type FlowInput, type FlowResult } from '../../src/flow';
import type { FlowClient } from '../../src/client';
import { leftWait, typedRounds } from '../fixtures/flows/edge-flows';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof?: T): void {}

// Callers pass the schema's input type: `rounds` is optional (it has a default), `label` a string.
expectType<Equal<FlowInput<typeof typedRounds>, { rounds?: number | undefined; label: string }>>();
expectType<Equal<FlowResult<typeof typedRounds>, { rounds: number; text: string; length: number; runId: string }>>();

// `run` receives the output type: the default filled in, the transform applied.
defineFlow({
  name: 'outputTyped',
  input: z.object({ n: z.number().default(1), label: z.string().transform((s) => s.length) }),
  goal: ({ label }) => `label of ${label.toFixed(0)} characters`,
  async run(flow, input) {
    expectType<Equal<typeof input, { n: number; label: number }>>();
    // No state schema: the state is null.
    expectType<Equal<typeof flow.state, null>>();
    const left = await flow.waitFor(leftWait);
    expectType<Equal<typeof left, { n: number }>>();
  },
});

// A state schema comes with its initial value…
defineFlow({
  name: 'stateful',
  input: z.object({}),
  state: z.object({ count: z.number() }),
  initialState: () => ({ count: 0 }),
  goal: 'count',
  async run(flow) {
    expectType<Equal<typeof flow.state, { count: number }>>();
  },
});

// …or it does not compile.
// @ts-expect-error `state` requires `initialState`
defineFlow({ name: 'noInitial', input: z.object({}), state: z.object({ count: z.number() }), goal: 'x', async run() {} });

declare const client: FlowClient;
async function typedStarts(): Promise<void> {
  await client.start(typedRounds, { label: 'a' });
  await client.start(typedRounds, { label: 'a', rounds: 2 });
  // @ts-expect-error `label` is required
  await client.start(typedRounds, { rounds: 2 });
  // @ts-expect-error `label` is the raw string, not the transformed object
  await client.start(typedRounds, { label: { text: 'a', length: 1 } });
  // By name: any input, checked at run time.
  await client.start('typedRounds', { anything: true });

  // Resume data typed from a declared wait's schema; by name, any data.
  await client.resume('flow-1', { n: 1 }, { wait: leftWait });
  // @ts-expect-error `n` is a number
  await client.resume('flow-1', { n: 'one' }, { wait: leftWait });
  await client.resume('flow-1', { anything: true }, { wait: 'left' });
}
void typedStarts;
