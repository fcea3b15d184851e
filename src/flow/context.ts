import type { z } from 'zod';
import type { Duration } from '@temporalio/common';
import type { FlowRecord } from '../model/records';
import type { FlowTasks, TaskOptions } from './tasks';
import type { MapOptions } from './fan-out';
import type { ChildOptions } from './children';
import type { FlowInput, FlowResult, FlowWorkflow } from './define';

export interface WaitOptions {
  /** Give up after this long: the wait throws a `wait_timeout` ApplicationFailure the flow may catch. */
  timeout?: Duration;
  /** What the person or system resuming the flow should send; shown in `flow show` and the Web UI. */
  description?: string;
}

/**
 * A named wait and the schema of the data that answers it, declared once and shared by the flow
 * (`flow.waitFor(approval)`) and whoever resumes it (`client.resume(id, data, { wait: approval })`,
 * typed from the schema's input).
 */
export interface WaitDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: Schema;
}

export function defineWait<Schema extends z.ZodType>(name: string, schema: Schema): WaitDefinition<Schema> {
  return { name, schema };
}

/** What flow code sees: its record, its state, its tasks, and the ways to wait and report progress. */
export interface FlowContext<State> {
  readonly flowId: string;
  /** The current state, validated by the flow's state schema. */
  readonly state: State;
  /** The current flow record (read-only). */
  readonly record: FlowRecord;
  /** Names the step the flow is in (`null` clears it). */
  setStep(step: string | null): void;
  /** Shallow-merges a patch into the state; throws `invalid_input` when the result fails the schema. */
  patchState(patch: Partial<State>): void;
  /** Activities of type `A` as tasks of this flow: each call is one recorded task. */
  tasks<A>(options?: TaskOptions): FlowTasks<A>;
  /**
   * Parks this branch in `waiting` until a `resume` of this wait whose data the schema accepts;
   * returns that data. Several waits may be open at once (parallel branches), each under its own
   * name; a resume names the one it answers (`--wait <name>`) when more than one is open.
   */
  waitFor<T>(name: string, schema: z.ZodType<T>, options?: WaitOptions): Promise<T>;
  /**
   * Runs `fn` over every item, at most `concurrency` at once (default 100), results in item order:
   * the way to fan out over many items without starting them all at once.
   */
  map<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>, options?: MapOptions): Promise<R[]>;
  /**
   * Runs another managed flow as a child flow (a Temporal child workflow) and returns its result.
   * In this flow's record it is one task (kind = its flow type, `childFlowId` = its id) that takes a
   * task slot like any other; a child that fails throws as a failed task does, and may be caught.
   * For work past 10,000 tasks, or sub-jobs with their own steps and waits.
   */
  child<F extends FlowWorkflow<any, any, any>>(flow: F, input: FlowInput<F>, options?: ChildOptions): Promise<FlowResult<F>>;
  /** The same, for a wait declared with `defineWait`. */
  waitFor<Schema extends z.ZodType>(wait: WaitDefinition<Schema>, options?: WaitOptions): Promise<z.output<Schema>>;
  /**
   * A safe point to continue-as-new: when Temporal suggests it, waits until nothing is in flight
   * (no task running in another branch, no open wait, no running message handler), then continues
   * as new with the raw input, carrying the record forward.
   */
  checkpoint(): Promise<void>;
}
