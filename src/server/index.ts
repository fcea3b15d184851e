export { startDevServer, type DevServerHandle, type DevServerOptions } from './dev-server';
export {
  DevServerError,
  PortInUseError,
  SearchAttributeError,
  TemporalCliUnavailableError,
} from './errors';
export { installTemporalCli, type InstallOptions } from './install';
export { connectToTemporal, prepareNamespace } from './namespace';
export { isPortOpen, isTemporalReachable, splitAddress } from './reachability';
export { registerSearchAttributes, type SearchAttributeSpec } from './search-attributes';
export {
  ensureTemporalCli,
  locateTemporalCli,
  projectCliPath,
  readCliVersion,
  type CliCandidate,
  type EnsureOptions,
  type LocateOptions,
  type TemporalCli,
  type TemporalCliLookup,
  type TemporalCliSource,
} from './temporal-cli';
