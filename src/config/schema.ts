import { z } from 'zod';
import { DURATION_EXPECTED, isDuration, type DurationString } from './duration';

// Each leaf carries a description phrased as "must be <description>", so a validation error can say
// what was expected in the user's terms rather than zod's.
const duration = (fallback: DurationString) =>
  z.string().refine(isDuration).describe(DURATION_EXPECTED).default(fallback);

const positiveInt = (fallback: number) =>
  z.number().int().min(1).describe('a whole number of at least 1').default(fallback);

const port = (fallback: number) =>
  z.number().int().min(1).max(65535).describe('an integer between 1 and 65535').default(fallback);

const flag = (fallback: boolean) => z.boolean().describe('true or false').default(fallback);

const optionalText = (what: string, fallback: string | null = null) =>
  z.string().min(1).nullable().describe(`${what} or null`).default(fallback);

const nonEmpty = (what: string, fallback: string) => z.string().trim().min(1).describe(what).default(fallback);

const section = <Shape extends z.ZodRawShape>(name: string, shape: Shape) =>
  // Every key of a section has a default, so an absent section is parsed as an empty one.
  z.strictObject(shape).describe(`a mapping of ${name} settings`).prefault({} as never);

export const ADDRESS_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):\d{1,5}$/;

/** Where the worker listens for scrapes or probes; null (the default) serves nothing. */
const listenAddress = () =>
  z.string().trim().regex(ADDRESS_PATTERN).nullable().describe('a host:port address such as "127.0.0.1:9464", or null').default(null);

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'never'] as const;

const tlsSchema = section('connection.tls', {
  enabled: flag(false),
  serverName: optionalText('a host name'),
  caFile: optionalText('a file path'),
  certFile: optionalText('a file path'),
  keyFile: optionalText('a file path'),
  caData: optionalText('PEM text'),
  certData: optionalText('PEM text'),
  keyData: optionalText('PEM text'),
  disableHostVerification: flag(false),
});

const connectionSchema = section('connection', {
  address: z
    .string()
    .trim()
    .regex(ADDRESS_PATTERN)
    .describe('a host:port address such as "127.0.0.1:7233"')
    .default('127.0.0.1:7233'),
  namespace: nonEmpty('a namespace name', 'default'),
  apiKey: optionalText('an API key'),
  tls: tlsSchema,
});

const devServerSchema = section('devServer', {
  enabled: flag(true),
  cliVersion: z
    .string()
    .regex(/^\d+\.\d+\.\d+[0-9A-Za-z.+-]*$/)
    .describe('a Temporal CLI version such as "1.9.1"')
    .default('1.9.1'),
  dbFile: optionalText('a file path (null keeps the database in memory)', '.temporal/taskflow.db'),
  ip: nonEmpty('an IP address', '127.0.0.1'),
  port: port(7233),
  uiPort: port(8233),
  headless: flag(false),
  logLevel: z
    .enum(LOG_LEVELS)
    .describe(`one of ${LOG_LEVELS.join(', ')}`)
    .default('warn'),
});

const workerSchema = section('worker', {
  maxConcurrentActivityTaskExecutions: positiveInt(100),
  maxConcurrentWorkflowTaskExecutions: positiveInt(40),
  maxCachedWorkflows: z.number().int().min(0).describe('a whole number of at least 0').default(1000),
  shutdownGraceTime: duration('10s'),
  maxHeartbeatThrottleInterval: duration('250ms'),
  autoHeartbeat: flag(true),
  metrics: section('worker.metrics', { prometheus: listenAddress() }),
  health: listenAddress(),
});

const retrySchema = section('flowDefaults.retry', {
  maximumAttempts: z.number().int().min(0).describe('a whole number of at least 0 (0 means unlimited)').default(3),
  initialInterval: duration('1s'),
  backoffCoefficient: z.number().min(1).describe('a number of at least 1').default(2),
  maximumInterval: duration('1m'),
});

const flowDefaultsSchema = section('flowDefaults', {
  startToCloseTimeout: duration('10m'),
  heartbeatTimeout: duration('5s'),
  retry: retrySchema,
  cancelGracePeriod: duration('10s'),
});

export const taskFlowConfigSchema = z
  .strictObject({
    connection: connectionSchema,
    taskQueue: nonEmpty('a task queue name', 'taskflow'),
    ui: section('ui', {
      url: z
        .url({ protocol: /^https?$/ })
        .nullable()
        .describe('an http(s) URL or null')
        .default(null),
    }),
    devServer: devServerSchema,
    worker: workerSchema,
    flowDefaults: flowDefaultsSchema,
  })
  .describe('a mapping of settings');

export type TaskFlowConfig = z.output<typeof taskFlowConfigSchema>;
export type TaskFlowConfigInput = z.input<typeof taskFlowConfigSchema>;

/** What `<key path>` must be, from the description on the schema leaf (or its nearest described wrapper). */
export function expectedAt(path: readonly PropertyKey[]): string | undefined {
  let current: z.ZodType | undefined = taskFlowConfigSchema;
  let expected: string | undefined;
  for (let depth = 0; current; depth++) {
    // Unwrap default/prefault/nullable/pipe, keeping the outermost description seen on the way.
    for (;;) {
      expected ??= current.description;
      const def: { innerType?: z.ZodType; in?: z.ZodType } = (current as { _zod: { def: object } })._zod.def;
      const inner: z.ZodType | undefined = def.innerType ?? def.in;
      if (!inner) break;
      current = inner;
    }
    if (depth === path.length) return expected;
    if (!(current instanceof z.ZodObject)) return expected;
    current = (current.shape as Record<PropertyKey, z.ZodType>)[path[depth]!];
    expected = undefined;
  }
  return undefined;
}

/** Keys allowed in the mapping at `path` (used to list the valid keys when an unknown one is found). */
export function keysAt(path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = taskFlowConfigSchema;
  for (let depth = 0; current; depth++) {
    for (;;) {
      const inner: z.ZodType | undefined = (current as { _zod: { def: { innerType?: z.ZodType } } })._zod.def.innerType;
      if (!inner) break;
      current = inner;
    }
    if (!(current instanceof z.ZodObject)) return [];
    if (depth === path.length) return Object.keys(current.shape);
    current = (current.shape as Record<PropertyKey, z.ZodType>)[path[depth]!];
  }
  return [];
}
