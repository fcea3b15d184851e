import type { z } from 'zod';
import type { FlowContext } from './context';
import { runManagedFlow } from './managed';

/**
 * What every flow declares. `Schema` is the input schema: callers pass its input type
 * (`z.input`), the flow's functions receive its output type (`z.output`), parsed once at start.
 */
interface FlowBasics<Schema extends z.ZodType, State, Result> {
  /** The Temporal workflow type; export the flow under the same name. */
  name: string;
  input: Schema;
  /** One line describing a run; also the Temporal static summary. */
  goal: string | ((input: z.output<Schema>) => string);
  /** Business key for lookups (`flow show <key>`), e.g. an order id. */
  lookupKey?: (input: z.output<Schema>) => string | null | undefined;
  run(flow: FlowContext<State>, input: z.output<Schema>): Promise<Result>;
}

/** A flow with state: a schema checked on every change, and the value it starts from (both required). */
interface WithState<Schema extends z.ZodType, State> {
  state: z.ZodType<State>;
  initialState: (input: z.output<Schema>) => State;
}

/** A flow without state: `flow.state` is `null`. */
interface WithoutState {
  state?: undefined;
  initialState?: undefined;
}

/** How a managed flow is declared: its name, input and state schemas, goal, and the code it runs. */
export type FlowDefinition<Schema extends z.ZodType = z.ZodType, State = any, Result = any> = FlowBasics<Schema, State, Result> &
  (WithState<Schema, State> | WithoutState);

export const FLOW_DEFINITION = Symbol.for('taskflow.flowDefinition');

/**
 * The workflow function `defineFlow` returns. Its first run takes only the raw input; a run after
 * continue-as-new also receives what the previous run carried (opaque to callers).
 */
export type FlowWorkflow<Schema extends z.ZodType = z.ZodType, State = any, Result = any> = ((
  input: z.input<Schema>,
  carried?: unknown,
) => Promise<Result>) & {
  readonly [FLOW_DEFINITION]: FlowDefinition<Schema, State, Result>;
};

/** The raw input a flow's callers pass (`z.input` of its schema). */
export type FlowInput<F> = F extends FlowWorkflow<infer Schema, any, any> ? z.input<Schema> : never;
/** What a flow's `run` resolves to. */
export type FlowResult<F> = F extends FlowWorkflow<any, any, infer Result> ? Result : never;

export function defineFlow<Schema extends z.ZodType, State, Result = void>(
  definition: FlowBasics<Schema, State, Result> & WithState<Schema, State>,
): FlowWorkflow<Schema, State, Result>;
export function defineFlow<Schema extends z.ZodType, Result = void>(
  definition: FlowBasics<Schema, null, Result> & WithoutState,
): FlowWorkflow<Schema, null, Result>;
export function defineFlow(definition: FlowDefinition): FlowWorkflow {
  const workflow = (input: unknown, carried?: unknown) => runManagedFlow(definition, input, carried);
  Object.defineProperty(workflow, 'name', { value: definition.name });
  return Object.assign(workflow, { [FLOW_DEFINITION]: definition });
}

export function flowDefinitionOf(value: unknown): FlowDefinition | undefined {
  return typeof value === 'function' ? (value as Partial<FlowWorkflow>)[FLOW_DEFINITION] : undefined;
}

/** The goal of a run, from its parsed input. */
export function goalOf(definition: FlowDefinition, input: unknown): string {
  return typeof definition.goal === 'function' ? definition.goal(input) : definition.goal;
}
