/** No Temporal CLI could be found or installed; the message lists what was tried and what to do. */
export class TemporalCliUnavailableError extends Error {
  readonly type = 'temporal_cli_unavailable';

  constructor(message: string) {
    super(message);
    this.name = 'TemporalCliUnavailableError';
  }
}

/** The embedded dev server did not start or did not become healthy. */
export class DevServerError extends Error {
  readonly type = 'dev_server_failed';

  constructor(
    message: string,
    /** The server's last log lines, for `--json` callers and bug reports. */
    readonly serverLog: string[] = [],
  ) {
    super(message);
    this.name = 'DevServerError';
  }
}

/** A port the dev server needs is held by something else. */
export class PortInUseError extends Error {
  readonly type = 'port_in_use';

  constructor(
    message: string,
    readonly port: number,
  ) {
    super(message);
    this.name = 'PortInUseError';
  }
}

/** The namespace's custom search attributes could not be brought to what flows need. */
export class SearchAttributeError extends Error {
  readonly type = 'search_attributes';

  constructor(message: string) {
    super(message);
    this.name = 'SearchAttributeError';
  }
}
