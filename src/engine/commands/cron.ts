// Cron workflows (the `cronSchedule` start option, as in Temporal): when a run completes or
// fails for good, its closing event names the next run, which an outbox row in the same commit
// creates at once with its first workflow task held until the next cron time. Cancel,
// terminate and timeouts end the chain.
import {
  AionError,
  type EventOf,
  type Failure,
  type Payload,
  type RunKey,
} from '../../core/index.js';
import { compileScheduleSpec, nextFireTime, type CompiledSpec } from '../../schedules/index.js';
import type { EventWriter } from './event-writer.js';
import { WORKFLOW_CRON_KIND, type ContinueAsNewData } from './kinds.js';
import { rerunOf } from './successor-data.js';

const compiled = new Map<string, CompiledSpec>();

/**
 * Validates a cron schedule (5 or 6 fields, `@daily`-style aliases, an optional `CRON_TZ=<zone>`
 * prefix; UTC otherwise) and returns it; throws `invalid_argument` naming `cronSchedule`.
 */
export function parseCronSchedule(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new AionError('invalid_argument', 'cronSchedule must be a cron expression string', {
      field: 'cronSchedule',
    });
  specOf(value);
  return value;
}

function specOf(cron: string): CompiledSpec {
  let spec = compiled.get(cron);
  if (spec === undefined) {
    const zoned = /^\s*(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(cron);
    spec = compileScheduleSpec(
      {
        cronExpressions: [zoned ? zoned[2]! : cron.trim()],
        ...(zoned ? { timezone: zoned[1]! } : {}),
      },
      'cronSchedule',
    );
    compiled.set(cron, spec);
  }
  return spec;
}

/** The first cron time strictly after `after`, or undefined when the expression never fires. */
export function nextCronTime(cron: string, after: number): number | undefined {
  return nextFireTime(specOf(cron), new Date(after))?.getTime();
}

/**
 * For a closing run of a cron workflow: records the next run's outbox row and returns its run
 * id (for the closing event's `newRunId`); undefined when the run is not a cron run or the
 * chain ends (no further cron time before its execution deadline).
 */
export function cronSuccessor(
  w: EventWriter,
  outcome: { readonly result?: Payload; readonly failure?: Failure },
): string | undefined {
  const started = w.book.started;
  if (started?.cronSchedule === undefined) return undefined;
  const next = nextCronTime(started.cronSchedule, w.now);
  if (next === undefined) return undefined;
  if (started.executionDeadline !== undefined && next >= started.executionDeadline)
    return undefined;
  const newRunId = w.env.ids.uuid();
  w.effects.outbox.push({
    namespace: w.run.namespace,
    id: `workflow-cron/${w.run.runId}`,
    workflowId: w.run.workflowId,
    runId: w.run.runId,
    kind: WORKFLOW_CRON_KIND,
    data: JSON.stringify(successorData(w.run, started, newRunId, next, outcome)),
    createdAt: w.now,
  });
  return newRunId;
}

function successorData(
  run: RunKey,
  started: EventOf<'WorkflowStarted'>,
  newRunId: string,
  firstTaskAt: number,
  outcome: { readonly result?: Payload; readonly failure?: Failure },
): ContinueAsNewData {
  return {
    ...rerunOf(started, run.runId, newRunId),
    cronSchedule: started.cronSchedule!,
    firstTaskAt,
    ...(outcome.result !== undefined ? { lastResult: outcome.result } : {}),
    ...(outcome.failure !== undefined ? { lastFailure: outcome.failure } : {}),
  };
}
