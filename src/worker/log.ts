// The worker's own log lines (connection, registration, refused frames), written to the
// same sink as activity logs; logging never breaks the worker.
import type { LogSink } from '../activity/index.js';

export type WorkerLog = (
  level: 'debug' | 'info' | 'warn',
  message: string,
  attributes: Record<string, unknown>,
) => void;

export function workerLog(sink: LogSink, identity: string): WorkerLog {
  return (level, message, attributes) => {
    try {
      sink({
        level,
        message: `worker: ${message}`,
        time: Date.now(),
        attributes: { identity, ...attributes },
      });
    } catch {
      // Logging never breaks the worker.
    }
  };
}
