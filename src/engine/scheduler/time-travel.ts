// Time travel: a run's state as of a workflow-task boundary of its history, open or closed.
// The history is read in pages (only the prefix to replay is kept), replayed into a throwaway
// instance on the run's pinned version, and the stack trace and queries are answered there.
import {
  AionError,
  type HistoryEvent,
  type Payload,
  type QueryOutcome,
  type RunKey,
} from '../../core/index.js';
import { closesActivation, DeadlockError, type WorkflowThread } from '../../runtime/index.js';
import { STACK_TRACE_QUERY, withReplayedInstance } from './closed-query.js';
import type { SchedulerContext } from './context.js';

/** Events read from the store per page while scanning a history. */
const PAGE_EVENTS = 5000;

export interface TimeTravelQuery {
  readonly name: string;
  readonly args: readonly Payload[];
}

/** One query's answer, as the workflow encoded it (`__stack_trace` answers a string). */
export type TimeTravelAnswer = (
  QueryOutcome | { readonly ok: true; readonly stackTrace: string }
) & {
  readonly name: string;
};

/** A time travel's answer with payloads as the workflow encoded them. */
export interface TimeTravelOutcome {
  readonly atSeq: number;
  readonly boundarySeq: number;
  readonly stackTrace: string;
  readonly queries: readonly TimeTravelAnswer[];
  readonly boundaries: readonly number[];
}

interface Scan {
  /** The events up to the boundary to replay (more may follow; cut by the caller). */
  readonly kept: HistoryEvent[];
  readonly boundaries: number[];
  readonly head: number;
  readonly version: string;
}

/**
 * Reads the whole history page by page: every boundary seq, the run's pinned version and
 * head, and the events a replay to `atSeq` needs (those up to `atSeq`, or up to the first
 * boundary when that comes later).
 */
async function scan(ctx: SchedulerContext, key: RunKey, atSeq: number): Promise<Scan> {
  const kept: HistoryEvent[] = [];
  const boundaries: number[] = [];
  let version = '';
  let head = 0;
  for (;;) {
    const page = await ctx.deps.store.readHistory(key, { fromSeq: head + 1, limit: PAGE_EVENTS });
    for (const e of page) {
      if (e.seq <= atSeq || boundaries.length === 0) kept.push(e);
      if (closesActivation(e)) boundaries.push(e.seq);
      if (e.type === 'WorkflowStarted') version = e.version;
      else if (e.type === 'WorkflowRepinned') version = e.toVersion;
      head = e.seq;
    }
    if (page.length < PAGE_EVENTS) return { kept, boundaries, head, version };
  }
}

/** The boundary to replay to: the last at or before `atSeq`, else the first; 1 when none. */
function boundaryFor(boundaries: readonly number[], atSeq: number): number {
  let found: number | undefined;
  for (const b of boundaries) {
    if (b > atSeq) break;
    found = b;
  }
  return found ?? boundaries[0] ?? 1;
}

/** Answers the stack trace and `queries` from run `key`'s state at the boundary of `atSeq`. */
export async function timeTravelRun(
  ctx: SchedulerContext,
  key: RunKey,
  atSeq: number,
  queries: readonly TimeTravelQuery[],
): Promise<TimeTravelOutcome> {
  const { kept, boundaries, head, version } = await scan(ctx, key, atSeq);
  if (head === 0)
    throw new AionError('not_found', `workflow run ${key.runId} not found`, { runId: key.runId });
  if (!Number.isSafeInteger(atSeq) || atSeq < 1 || atSeq > head) {
    throw new AionError(
      'invalid_argument',
      `atSeq must be a seq of the run's history, 1 to ${head} (got ${String(atSeq)})`,
      { field: 'atSeq', head },
    );
  }
  const boundarySeq = boundaryFor(boundaries, atSeq);
  const prefix = kept.filter((e) => e.seq <= boundarySeq);
  try {
    return await withReplayedInstance(
      ctx,
      key,
      version,
      prefix,
      `time travel to seq ${atSeq} of run ${key.runId}`,
      async (thread, instance) => ({
        atSeq,
        boundarySeq,
        stackTrace: await stackTraceOf(thread, instance),
        queries: await answer(thread, instance, queries),
        boundaries,
      }),
    );
  } catch (err) {
    if (!(err instanceof DeadlockError)) throw err;
    throw new AionError(
      'query_failed',
      `time travel to seq ${atSeq} of run ${key.runId}: workflow code did not return within ${err.timeoutMs} ms while replaying`,
      { runId: key.runId },
    );
  }
}

async function stackTraceOf(thread: WorkflowThread, instance: string): Promise<string> {
  const out = await thread.query(instance, STACK_TRACE_QUERY, []);
  if ('stackTrace' in out) return out.stackTrace;
  return out.ok ? '' : `(no stack trace: ${out.failure.message})`;
}

/** Each query in turn; a failure is that query's answer, not the whole call's. */
async function answer(
  thread: WorkflowThread,
  instance: string,
  queries: readonly TimeTravelQuery[],
): Promise<TimeTravelAnswer[]> {
  const out: TimeTravelAnswer[] = [];
  for (const q of queries)
    out.push({ name: q.name, ...(await thread.query(instance, q.name, q.args)) });
  return out;
}
