export { connectionOptions, describeConfig, type TemporalConnectionOptions } from './connection';
export { DURATION_EXPECTED, isDuration, parseDuration, type DurationString } from './duration';
export { ConfigError } from './errors';
export { CONFIG_FILE_NAME, hostForClient, loadConfig, parseConfig, type AddressSource, type LoadConfigOptions, type LoadedConfig } from './load';
export { LOG_LEVELS, taskFlowConfigSchema, type TaskFlowConfig, type TaskFlowConfigInput } from './schema';
