/**
 * Structured logging for activity code. A {@link LogSink} receives records; the default
 * writes one JSON line per record to the console.
 */
import { traceIdOf } from '../core/index.js';
import type { ActivityInfo, ActivityLogger, LogLevel, LogRecord, LogSink } from './types.js';

export type { ActivityLogger, LogLevel, LogRecord, LogSink };

function jsonLine(record: LogRecord): string {
  const line = {
    time: new Date(record.time).toISOString(),
    level: record.level,
    msg: record.message,
    ...record.attributes,
  };
  try {
    return JSON.stringify(line, (_key, value: unknown) =>
      value instanceof Error
        ? { name: value.name, message: value.message }
        : typeof value === 'bigint'
          ? value.toString()
          : value,
    );
  } catch {
    return JSON.stringify({ time: line.time, level: line.level, msg: line.msg });
  }
}

/**
 * Default sink: one JSON line per record on stderr, every level — stdout stays the
 * program's own (a program printing JSON results there is not interleaved with logs).
 */
export const consoleLogSink: LogSink = (record) => {
  process.stderr.write(`${jsonLine(record)}\n`);
};

/** A sink writing into an engine-style logger (`logger.info(message, fields)`). */
export function loggerSink(logger: {
  readonly [L in LogLevel]: (message: string, fields?: Record<string, unknown>) => void;
}): LogSink {
  return (record) =>
    logger[record.level](record.message, {
      ...record.attributes,
      time: new Date(record.time).toISOString(),
    });
}

/** The trace id of the caller's span, recorded in the activity's headers, if any. */
function traceIdField(info: ActivityInfo): { trace_id?: string } {
  const traceId = traceIdOf(info.headers);
  return traceId ? { trace_id: traceId } : {};
}

/** Identifying attributes added to every line an attempt logs. */
export function infoAttributes(info: ActivityInfo): Record<string, unknown> {
  return {
    namespace: info.namespace,
    workflowId: info.workflowId,
    runId: info.runId,
    activityId: info.activityId,
    activityType: info.activityType,
    attempt: info.attempt,
    ...traceIdField(info),
  };
}

/** A logger that stamps each record with the attempt's ids and the clock's time. */
export function createActivityLogger(
  sink: LogSink,
  info: ActivityInfo,
  now: () => number,
): ActivityLogger {
  const base = infoAttributes(info);
  const write =
    (level: LogLevel) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      try {
        sink({ level, message, time: now(), attributes: { ...attributes, ...base } });
      } catch {
        // Logging must never fail an activity.
      }
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
