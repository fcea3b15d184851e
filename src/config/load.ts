import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { applyEnvOverrides, type EnvOverrides } from './env';
import { ConfigError } from './errors';
import { expectedAt, keysAt, taskFlowConfigSchema, type TaskFlowConfig } from './schema';

export const CONFIG_FILE_NAME = 'temporal.yaml';

/** Keys whose values are secrets: never echoed in an error or a printed config. */
const SECRET_KEYS = new Set(['connection.apiKey', 'connection.tls.keyData']);

export interface LoadConfigOptions {
  /** Where to start looking for temporal.yaml (walking up); default `process.cwd()`. */
  cwd?: string;
  /** An explicit settings file; default `TASKFLOW_CONFIG`, else the nearest temporal.yaml. */
  file?: string;
  /** Source of the TEMPORAL_* / TASKFLOW_* overrides; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Where `connection.address` came from, so errors give advice that fits (never `npm start` for a cluster). */
export type AddressSource = 'environment' | 'file' | 'dev server' | 'default';

export type LoadedConfig = TaskFlowConfig & {
  /** The directory holding temporal.yaml (or cwd without one); relative paths in the file are based here. */
  projectRoot: string;
  configFile: string | null;
  /** Absent on configs built in code; then the address counts as the dev server's when it equals it. */
  addressSource?: AddressSource;
};

/** Reads temporal.yaml, applies defaults then environment overrides; throws ConfigError when invalid. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const configFile = locateConfigFile(cwd, options.file ?? (env.TASKFLOW_CONFIG || undefined));
  const projectRoot = configFile ? path.dirname(configFile) : cwd;
  const shownAs = configFile ? displayPath(configFile, cwd) : CONFIG_FILE_NAME;

  const raw = configFile ? readYaml(configFile, shownAs) : {};
  const config = validate(raw, shownAs);
  resolveFilePaths(config, projectRoot);
  const overrides = applyEnvOverrides(config, env, cwd);
  deriveDefaults(config, raw, overrides);
  checkClientCertificate(config, shownAs);
  return { ...config, projectRoot, configFile, addressSource: addressSourceOf(config, raw, overrides) };
}

/** Parses a temporal.yaml text (no file system); used by loadConfig and by tests of the schema. */
export function parseConfig(text: string, shownAs = CONFIG_FILE_NAME): TaskFlowConfig {
  return validate(parseYamlText(text, shownAs), shownAs);
}

function locateConfigFile(cwd: string, explicit: string | undefined): string | null {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    if (!fs.existsSync(file)) {
      throw new ConfigError(`The settings file ${file} does not exist; fix TASKFLOW_CONFIG or create the file.`, file);
    }
    return file;
  }
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function readYaml(file: string, shownAs: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shownAs} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}).`, shownAs);
  }
  return parseYamlText(text, shownAs);
}

function parseYamlText(text: string, shownAs: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const where = err.linePos ? ` line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    const reason = err.message.split(/ at line \d+|\n/)[0]!;
    throw new ConfigError(
      `${shownAs}${where}: invalid YAML (${reason.charAt(0).toLowerCase()}${reason.slice(1)}); fix the syntax there.`,
      shownAs,
    );
  }
}

function validate(raw: unknown, shownAs: string): TaskFlowConfig {
  const result = taskFlowConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  // A misspelt key usually explains the other complaints, so it is reported first.
  const issue =
    result.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  throw new ConfigError(describeIssue(issue, raw, shownAs), shownAs, keyOf(issue));
}

function keyOf(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  return keys.join('.');
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, shownAs: string): string {
  const key = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const unknown = [...issue.path, issue.keys[0]!].join('.');
    return `${shownAs}: ${unknown} is not a known key; expected one of ${keysAt(issue.path).join(', ')}.`;
  }
  const expected = expectedAt(issue.path) ?? 'valid';
  const found = describeValue(valueAt(raw, issue.path), SECRET_KEYS.has(key));
  if (key === '') return `${shownAs} must be ${expected}, found ${found}.`;
  return `${shownAs}: ${key} must be ${expected}, found ${found}.`;
}

function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown, secret: boolean): string {
  if (secret && ['string', 'number', 'boolean'].includes(typeof value)) return 'a value that is not shown';
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}

function resolveFilePaths(config: TaskFlowConfig, projectRoot: string): void {
  const tls = config.connection.tls;
  for (const key of ['caFile', 'certFile', 'keyFile'] as const) {
    const file = tls[key];
    if (file !== null) tls[key] = path.resolve(projectRoot, file);
  }
}

/** Defaults that depend on other settings, filled only where neither the file nor the environment spoke. */
function deriveDefaults(config: TaskFlowConfig, raw: unknown, overrides: EnvOverrides): void {
  const { connection, devServer, ui } = config;
  const tls = connection.tls;

  const devAddress = `${hostForClient(devServer.ip)}:${devServer.port}`;
  if (valueAt(raw, ['connection', 'address']) === undefined && !overrides.address && devServer.enabled) {
    connection.address = devAddress;
  }
  if (valueAt(raw, ['connection', 'tls', 'enabled']) === undefined && !overrides.tlsEnabled) {
    // As with the Temporal CLI: an API key or any certificate setting switches TLS on.
    tls.enabled = [connection.apiKey, tls.certFile, tls.certData, tls.caFile, tls.caData, tls.serverName].some(
      (value) => value !== null,
    );
  }
  // The dev server's UI is only the right one when the connection goes to the dev server.
  if (ui.url === null && devServer.enabled && !devServer.headless && connection.address === devAddress) {
    ui.url = `http://${hostForClient(devServer.ip)}:${devServer.uiPort}`;
  }
}

function addressSourceOf(config: TaskFlowConfig, raw: unknown, overrides: EnvOverrides): AddressSource {
  if (overrides.address) return 'environment';
  if (valueAt(raw, ['connection', 'address']) !== undefined) return 'file';
  return config.devServer.enabled ? 'dev server' : 'default';
}

function checkClientCertificate(config: TaskFlowConfig, shownAs: string): void {
  const tls = config.connection.tls;
  const hasCert = tls.certFile !== null || tls.certData !== null;
  const hasKey = tls.keyFile !== null || tls.keyData !== null;
  if (hasCert === hasKey) return;
  const [present, missing] = hasCert ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
  throw new ConfigError(
    `${shownAs}: connection.tls.${present} is set but connection.tls.${missing} is not; a client certificate needs both.`,
    shownAs,
    `connection.tls.${missing}`,
  );
}

/** The address a client on this machine uses to reach a server bound to `ip`. */
export function hostForClient(ip: string): string {
  if (ip === '0.0.0.0' || ip === 'localhost') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}
