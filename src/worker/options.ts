// Validation of `Worker.create` options: the task queue and activities it needs, the server
// address as a worker-protocol URL, and the numeric limits with their defaults.
import { hostname } from 'node:os';
// The activity folder's index is the public `aion/activity` entry, which leaves out the
// console sink; like the engine, the worker imports it by path.
import { consoleLogSink } from '../activity/internal.js';
import type { LogSink } from '../activity/index.js';
import { AionError } from '../core/index.js';
import { WORKER_PROTOCOL_PATH } from '../protocol/index.js';
import type { WorkerOptions } from './types.js';

/** The options after validation, with their defaults applied. */
export interface ResolvedOptions {
  readonly url: string;
  readonly maxConcurrent: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly identity: string;
  readonly logger: LogSink;
}

const positiveInt = (value: number | undefined, fallback: number, field: string): number => {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new AionError('invalid_argument', `${field} must be an integer >= 1 (got ${String(v)})`, {
      field,
    });
  }
  return v;
};

/** Checks the options (invalid_argument naming the field) and applies the defaults. */
export function resolveOptions(options: WorkerOptions): ResolvedOptions {
  if (typeof options.taskQueue !== 'string' || options.taskQueue.length === 0) {
    throw new AionError('invalid_argument', 'taskQueue must be a non-empty string', {
      field: 'taskQueue',
    });
  }
  const types = Object.keys(options.activities ?? {});
  if (types.length === 0) {
    throw new AionError(
      'invalid_argument',
      'activities must name at least one activity function ({ name: fn })',
      { field: 'activities' },
    );
  }
  return {
    url: toWorkerUrl(options.connection?.address),
    maxConcurrent: positiveInt(options.maxConcurrentActivities, 100, 'maxConcurrentActivities'),
    initialDelayMs: positiveInt(options.reconnect?.initialDelayMs, 100, 'reconnect.initialDelayMs'),
    maxDelayMs: positiveInt(options.reconnect?.maxDelayMs, 10_000, 'reconnect.maxDelayMs'),
    identity: options.identity ?? `${hostname()}:${process.pid}`,
    logger: options.logger ?? consoleLogSink,
  };
}

function toWorkerUrl(address: unknown): string {
  if (typeof address !== 'string' || address.length === 0) {
    throw new AionError(
      'invalid_argument',
      'connection.address must be the server URL, e.g. "http://127.0.0.1:7233"',
      { field: 'connection.address' },
    );
  }
  let url: URL;
  try {
    url = new URL(address.includes('://') ? address : `http://${address}`);
  } catch {
    throw new AionError(
      'invalid_argument',
      `connection.address ${JSON.stringify(address)} is not a URL; use e.g. "http://127.0.0.1:7233"`,
      { field: 'connection.address' },
    );
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new AionError(
      'invalid_argument',
      `connection.address must use http, https, ws or wss (got ${url.protocol})`,
      { field: 'connection.address' },
    );
  }
  url.pathname = `${url.pathname.replace(/\/$/, '')}${WORKER_PROTOCOL_PATH}`;
  return url.toString();
}
