import * as net from 'node:net';
import { Connection } from '@temporalio/client';
import type { TemporalConnectionOptions } from '../config';

/** Splits `host:port` (or `[v6]:port`) into the host to dial and the port. */
export function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

/** Whether anything accepts a TCP connection on host:port within the timeout. */
export function isPortOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a Temporal frontend answers at `address` within about `timeoutMs`. A refused TCP connection
 * answers at once; only a listening port pays for the gRPC round trip.
 */
export async function isTemporalReachable(
  address: string,
  options: Omit<TemporalConnectionOptions, 'address'> = {},
  timeoutMs = 2_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const { host, port } = splitAddress(address);
  if (!(await isPortOpen(host, port, timeoutMs))) return false;

  // lazy + ensureConnected rather than connect(), so a failed attempt can still be closed.
  const connection = Connection.lazy({ ...options, address, connectTimeout: Math.max(deadline - Date.now(), 200) });
  try {
    await connection.ensureConnected();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
