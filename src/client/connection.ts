import { connect } from 'node:net';
import * as tls from 'node:tls';
import { Connection, defaultGrpcRetryOptions, isRetryableError, makeGrpcRetryInterceptor, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { LoadedConfig, TaskFlowConfig } from '../config';
import { connectionOptions, hostForClient } from '../config';
import { FlowError } from './errors';

/**
 * What a failed call to Temporal means, told apart: nothing answers at the address; the server answered
 * UNAVAILABLE (running, but part of it is down); the server did not answer in time; the namespace does
 * not exist; the TLS handshake failed. A write that failed after it was sent says it may have been
 * applied, and that retrying it with the same request id is safe.
 */

export interface ConnectOptions {
  /**
   * Bounds retries of UNAVAILABLE and other transient answers so a failure is known within about
   * this long (with the server's own message). Without it the SDK's default retries apply (20-40 s).
   */
  timeoutMs?: number;
}

type Config = Pick<TaskFlowConfig, 'connection'> & Partial<Pick<TaskFlowConfig, 'devServer'>> & Pick<Partial<LoadedConfig>, 'addressSource'>;

/** Opens a client connection; a failure is one of the sentences above. */
export async function openConnection(config: Config, options: ConnectOptions = {}): Promise<Connection> {
  await refuseFast(config);
  const base = connectionOptions(config);
  const budget = options.timeoutMs;
  const connectTimeout = budget === undefined ? 5_000 : Math.max(Math.min(5_000, budget / 2), 200);
  const connection = lazyConnection(config, {
    ...base,
    connectTimeout,
    ...(budget !== undefined && { interceptors: [boundedRetryInterceptor(budget * 0.7)] }),
  });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close().catch(() => undefined);
    // "Failed to connect before the deadline" hides why; one call without retries tells (TLS alerts, refusals).
    const cause = /before the deadline/i.test((err as Error)?.message ?? '') ? await whyNoConnection(config, Math.min(connectTimeout, 3_000)) : err;
    throw connectionFailure(cause ?? err, config) ?? err;
  }
}

/** Connection.lazy, with TLS material that cannot be used told in one sentence that never echoes it. */
function lazyConnection(config: Config, options: Parameters<typeof Connection.lazy>[0]): Connection {
  try {
    return Connection.lazy(options);
  } catch (err) {
    if (!config.connection.tls.enabled) throw err;
    throw new FlowError(
      'config_error',
      'The TLS certificate or key (TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY or connection.tls in temporal.yaml) is not usable PEM; give the PEM files of the CA, of the client certificate and of its key.',
      { reason: 'tls_material' },
    );
  }
}

/**
 * Why nothing connected: the error of one call made without retries (bounded by `waitMs`); when the
 * connection is plain text and the server speaks TLS, a note saying so. Undefined when it cannot tell.
 */
async function whyNoConnection(config: Config, waitMs: number): Promise<unknown> {
  const probe = Connection.lazy({ ...connectionOptions(config), interceptors: [], connectTimeout: waitMs });
  try {
    const answer = await Promise.race([
      probe.workflowService.getSystemInfo({}).then(() => undefined, (err: unknown) => err),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs).unref()),
    ]);
    if (answer && TLS_FAILURE.test(`${(answer as { details?: string }).details ?? ''} ${(answer as Error).message}`)) return answer;
    if (!config.connection.tls.enabled && (await speaksTls(config.connection.address, waitMs))) return new Error(PLAIN_TO_TLS);
    return answer;
  } finally {
    await probe.close().catch(() => undefined);
  }
}

const PLAIN_TO_TLS = 'plain text to a TLS server';

/** Whether a TLS handshake gets an answer at the address (any certificate accepted: this only asks). */
function speaksTls(address: string, waitMs: number): Promise<boolean> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port: Number(address.slice(at + 1)), rejectUnauthorized: false, ALPNProtocols: ['h2'], servername: undefined });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(waitMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    // An alert (e.g. "certificate required") is a TLS server answering too.
    socket.once('error', (err: Error) => done(/alert|SSL/i.test(err.message)));
  });
}

/**
 * The SDK's retries of transient answers (same delays), stopped once the next try would end past
 * `budgetMs` after the call began, so the caller gets the last answer (e.g. UNAVAILABLE and why).
 */
export function boundedRetryInterceptor(budgetMs: number) {
  const base = defaultGrpcRetryOptions();
  return (options: Parameters<ReturnType<typeof makeGrpcRetryInterceptor>>[0], nextCall: Parameters<ReturnType<typeof makeGrpcRetryInterceptor>>[1]) => {
    const started = Date.now();
    return makeGrpcRetryInterceptor({
      delayFunction: base.delayFunction,
      retryableDecider: (attempt, status) => {
        // The longest delay the SDK's backoff can pick for this attempt (factor 1.7, 20% jitter, 5 s cap).
        const nextDelay = Math.min(5_000, 1.7 ** attempt * (status.code === 8 ? 1_000 : 100)) * 1.2;
        return attempt < 10 && isRetryableError(status) && Date.now() - started + nextDelay < budgetMs;
      },
    })(options, nextCall);
  };
}

/** The gRPC status behind an error the SDK raised (it wraps them in ServiceError and friends). */
function grpcStatusOf(err: unknown): { code: number; details: string } | undefined {
  for (let e = err as { code?: unknown; details?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number' && e.code > 0 && e.code <= 16) {
      return { code: e.code, details: typeof e.details === 'string' ? e.details : String(e.message ?? '') };
    }
  }
  return undefined;
}

/** Messages of the SDK errors raised after a mutating request reached the wire. */
const SENT_WRITE = /^(Workflow Update failed|Update-With-Start failed|Workflow Update Poll failed|Failed to start Workflow|Failed to signal Workflow|Failed to signalWithStart Workflow|Failed to cancel workflow|Failed to terminate Workflow)$/;

function isSentWrite(err: unknown): boolean {
  return err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (err instanceof Error && SENT_WRITE.test(err.message));
}

const NOTHING_LISTENS = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|No connection established|Failed to connect before the deadline|failed to connect to all addresses|Name resolution failed|DNS resolution failed/i;
const TLS_FAILURE = /certificate|SSL|TLS|handshake|ERR_OSSL|self.signed|unable to verify|wrong version number/i;

/**
 * The sentence for a failed Temporal call, as a FlowError of type `server_unavailable` (or
 * `config_error` for a missing namespace); undefined when the failure is of another kind.
 */
export function connectionFailure(err: unknown, config: Config): FlowError | undefined {
  if (err instanceof FlowError) return undefined;
  const { address, namespace } = config.connection;
  if ((err as { name?: string } | null)?.name === 'NamespaceNotFoundError') {
    return new FlowError(
      'config_error',
      `Namespace ${namespace} does not exist on ${address}; create it (temporal operator namespace create --namespace ${namespace}) or set TEMPORAL_NAMESPACE to one that exists.`,
      { address, namespace, reason: 'namespace_not_found' },
    );
  }
  const status = grpcStatusOf(err);
  const text = `${status?.details ?? ''} ${(err as Error | null)?.message ?? ''}`;
  const firstLine = (status?.details || (err as Error | null)?.message || '').split('\n')[0]!.trim().replace(/\.$/, '');
  if (status === undefined && !TLS_FAILURE.test(text) && !NOTHING_LISTENS.test(text)) return undefined;

  if (text.includes(PLAIN_TO_TLS)) {
    return new FlowError('server_unavailable', tlsSentence(address, text, config), { address, reason: 'tls' });
  }
  if (TLS_FAILURE.test(text) && (status === undefined || status.code === 14 || status.code === 13)) {
    return new FlowError('server_unavailable', tlsSentence(address, text, config), { address, reason: 'tls' });
  }
  if (NOTHING_LISTENS.test(text) && (status === undefined || status.code === 14 || status.code === 4)) {
    return nothingAnswers(config, /ENOTFOUND|EAI_AGAIN|resolution/i.test(text) ? 'host not found' : /ECONNREFUSED/.test(text) ? 'connection refused' : 'no connection');
  }
  if (status === undefined) return undefined;
  const sent = isSentWrite(err);
  const details = { address, status: status.code === 14 ? 'UNAVAILABLE' : status.code === 4 ? 'DEADLINE_EXCEEDED' : `code ${status.code}`, ...(sent && { mayHaveBeenApplied: true }) };
  if (status.code === 14) {
    const answered = `The Temporal server at ${address} answered UNAVAILABLE: ${firstLine || 'no reason given'}`;
    return new FlowError('server_unavailable', sent ? `${answered}, after the write was sent, so it may or may not have been applied; ${RETRY_SAFE}.` : `${answered}; it runs but cannot serve this now (part of the cluster may be down), so try again once it has recovered.`, { ...details, serverMessage: firstLine });
  }
  if (status.code === 4 || (status.code === 1 && sent)) {
    const late = `The Temporal server at ${address} did not answer in time`;
    return new FlowError('server_unavailable', sent ? `${late} after the write was sent, so it may or may not have been applied; ${RETRY_SAFE}.` : `${late}; it may be overloaded or partly down, so try again (or allow longer with --timeout).`, details);
  }
  return undefined;
}

const RETRY_SAFE = 'retrying it with the same request id is safe, it is applied at most once';

/**
 * The same error naming how to retry from the command line: `--request-id ID` for an update, the
 * same `--id` for a start (a second start of a flow that did start answers flow_exists).
 */
export function withRetryAdvice(err: unknown, retry: { requestId?: string; flowId?: string }): unknown {
  if (!(err instanceof FlowError) || err.details.mayHaveBeenApplied !== true) return err;
  const how = retry.requestId
    ? `retrying with --request-id ${retry.requestId} is safe, it is applied at most once`
    : retry.flowId
      ? `running the same start with --id ${retry.flowId} is safe: if the first one started, it answers flow_exists`
      : RETRY_SAFE;
  return new FlowError(err.type, err.message.replace(RETRY_SAFE, how), { ...err.details, ...retry });
}

/** No Temporal server at the address: what to do depends on where the address came from. */
export function nothingAnswers(config: Config, reason: string): FlowError {
  const { address } = config.connection;
  return new FlowError('server_unavailable', `Nothing answers at ${address} (${reason}); ${startAdvice(config)}.`, { address, reason: 'nothing_answers' });
}

/** `npm start` only when the address is the project's own dev server; otherwise where the address was set. */
export function startAdvice(config: Config): string {
  if (pointsAtDevServer(config)) return 'start the dev server with npm start (or taskflow dev), or point TEMPORAL_ADDRESS at your Temporal server';
  const where =
    config.addressSource === 'environment' ? 'TEMPORAL_ADDRESS' : config.addressSource === 'file' ? 'connection.address in temporal.yaml' : 'TEMPORAL_ADDRESS or connection.address in temporal.yaml';
  return `check that the Temporal frontend runs there and that ${where} names it`;
}

function pointsAtDevServer(config: Config): boolean {
  if (config.addressSource === 'environment') return false;
  const dev = config.devServer;
  if (!dev?.enabled) return false;
  return config.connection.address === `${hostForClient(dev.ip)}:${dev.port}`;
}

function tlsSentence(address: string, text: string, config: Config): string {
  const tls = config.connection.tls;
  const hasCert = tls.certFile !== null || tls.certData !== null;
  if (!tls.enabled) {
    return `The connection to ${address} failed in the TLS handshake; the server seems to want TLS, so set TEMPORAL_TLS=true (and TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY if it asks for a client certificate).`;
  }
  if (/certificate required|alert number 116|bad certificate|alert number 42|unknown ca|alert number 48|certificate unknown|alert number 46/i.test(text)) {
    return hasCert
      ? `The Temporal server at ${address} refused the client certificate (TEMPORAL_TLS_CERT / connection.tls.certFile); use one signed by a CA the server trusts.`
      : `The Temporal server at ${address} requires a client certificate; set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (or connection.tls.certFile and keyFile).`;
  }
  if (/self.signed|unable to verify|unable to get (local )?issuer|CERT_|certificate/i.test(text)) {
    return `The server certificate of ${address} is not trusted or does not match; set TEMPORAL_TLS_CA to the CA that signed it (and TEMPORAL_TLS_SERVER_NAME to the name it was issued for).`;
  }
  return `The TLS handshake with ${address} failed; check TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (or connection.tls in temporal.yaml).`;
}

/**
 * A refused TCP connection means no server: say so at once rather than after the gRPC connect
 * timeout. Anything else (a slow or remote host) is left to the real connect.
 */
async function refuseFast(config: Config): Promise<void> {
  const { address } = config.connection;
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const refused = await new Promise<string | null>((resolve) => {
    const socket = connect({ host, port: Number(address.slice(at + 1)) });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1_000, () => done(null));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' ? err.code : null));
  });
  if (refused) throw nothingAnswers(config, refused === 'ENOTFOUND' ? 'host not found' : 'connection refused');
}

/**
 * A failure told as what to do about it: the connection diagnoses above (with the request id a
 * retry must reuse), or a namespace that lacks the flows' search attributes; else the error itself.
 */
export function explainFailure(err: unknown, config: Config, retry: { requestId?: string; flowId?: string } = {}): unknown {
  const diagnosed = withRetryAdvice(connectionFailure(err, config) ?? err, retry);
  if (diagnosed !== err) return diagnosed;
  return missingSearchAttributes(err, config) ?? err;
}

/** The server refused a TaskFlow search attribute: the namespace was never prepared for flows. */
export function missingSearchAttributes(err: unknown, config: Config): FlowError | null {
  const { address, namespace } = config.connection;
  const details = String((err as { cause?: { details?: unknown } })?.cause?.details ?? '');
  const missing = /invalid search attribute: (TaskFlow\w+)|'(TaskFlow\w+)' is not a valid search attribute/.exec(details);
  if (!missing) return null;
  const name = missing[1] ?? missing[2];
  return new FlowError(
    'config_error',
    `Namespace ${namespace} on ${address} does not have the TaskFlow search attributes (${name} is unknown there); run taskflow worker or taskflow dev once against it to register them.`,
    { namespace, address, missing: name },
  );
}
