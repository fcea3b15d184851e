/** temporal.yaml (or an environment override) is invalid; the message is one sentence naming the key. */
export class ConfigError extends Error {
  readonly type = 'config_error';

  constructor(
    message: string,
    /** The settings file involved, as the user would name it; absent for environment-only problems. */
    readonly file?: string,
    /** The dotted key path (`devServer.port`) or environment variable at fault. */
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
