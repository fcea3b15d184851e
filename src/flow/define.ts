import type { z } from 'zod';
import type { FlowStart } from '../model/start';
import type { FlowContext } from './context';
import { runManagedFlow } from './managed';

/** How a managed flow is declared: its name, input and state schemas, goal, and the code it runs. */
export interface FlowDefinition<Input = any, State = any, Result = any> {
  /** The Temporal workflow type; export the flow under the same name. */
  name: string;
  input: z.ZodType<Input>;
  /** One line describing a run; also the Temporal static summary. */
  goal: string | ((input: Input) => string);
  /** Business key for lookups (`flow show <key>`), e.g. an order id. */
  lookupKey?: (input: Input) => string | null | undefined;
  state?: z.ZodType<State>;
  initialState?: (input: Input) => State;
  run(flow: FlowContext<State>, input: Input): Promise<Result>;
}

export const FLOW_DEFINITION = Symbol.for('taskflow.flowDefinition');

export type FlowWorkflow<Input = any, State = any, Result = any> = ((input: Input, start?: FlowStart) => Promise<Result>) & {
  readonly [FLOW_DEFINITION]: FlowDefinition<Input, State, Result>;
};

export function defineFlow<Input, State = Record<string, never>, Result = void>(
  definition: FlowDefinition<Input, State, Result>,
): FlowWorkflow<Input, State, Result> {
  const workflow = (input: Input, start?: FlowStart) => runManagedFlow(definition, input, start ?? {});
  Object.defineProperty(workflow, 'name', { value: definition.name });
  return Object.assign(workflow, { [FLOW_DEFINITION]: definition });
}

export function flowDefinitionOf(value: unknown): FlowDefinition | undefined {
  return typeof value === 'function' ? (value as Partial<FlowWorkflow>)[FLOW_DEFINITION] : undefined;
}

export function goalOf(definition: FlowDefinition, input: unknown): string {
  return typeof definition.goal === 'function' ? definition.goal(input) : definition.goal;
}
