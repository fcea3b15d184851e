import { z } from 'zod';
import { defineFlow } from '../src/flow';
import type * as greetings from '../activities/greetings';

/** The smallest flow: one task, one result. `taskflow flow start greeting --input '{"name":"Ada"}'` */
export const greeting = defineFlow({
  name: 'greeting',
  input: z.object({ name: z.string().min(1) }),
  goal: ({ name }) => `Greet ${name}`,
  async run(flow, { name }) {
    const { composeGreeting } = flow.tasks<typeof greetings>({ startToCloseTimeout: '30s' });
    flow.setStep('compose');
    return composeGreeting(name);
  },
});
