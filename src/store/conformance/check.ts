import assert from 'node:assert/strict';
import { isAionError, type AionError, type ErrorCode, type RunKey } from '../../core/index.js';
import type { CommitOutcome, Store } from '../contract/index.js';

/**
 * Awaits `work` and asserts it rejects with an Aion error of `code` (checked through the
 * brand, never `instanceof`, so errors from another module instance still count).
 */
export async function rejectsWithCode(
  work: Promise<unknown>,
  code: ErrorCode,
  what = 'the call',
): Promise<AionError> {
  let outcome: unknown;
  try {
    outcome = await work;
  } catch (error) {
    assert.ok(
      isAionError(error),
      `${what} must reject with an AionError (code ${code}), got ${String(error)}`,
    );
    assert.equal(
      error.code,
      code,
      `${what} must reject with code ${code}; message: ${error.message}`,
    );
    return error;
  }
  assert.fail(
    `${what} must reject with code ${code}, but it resolved with ${JSON.stringify(outcome)}`,
  );
}

/** Asserts an error is a `SequenceConflictError{expected, actual}` (brand + code + fields). */
export function assertConflict(error: unknown, expected: number, actual: number): void {
  assert.ok(isAionError(error), `expected a SequenceConflictError, got ${String(error)}`);
  assert.equal(error.code, 'sequence_conflict');
  const e = error as AionError & { expected?: unknown; actual?: unknown };
  assert.equal(e.expected, expected, 'SequenceConflictError.expected');
  assert.equal(e.actual, actual, 'SequenceConflictError.actual');
}

/** Asserts an error is a `WorkflowAlreadyStartedError` naming the open run. */
export function assertAlreadyStarted(error: unknown, workflowId: string, openRunId: string): void {
  assert.ok(isAionError(error), `expected a WorkflowAlreadyStartedError, got ${String(error)}`);
  assert.equal(error.code, 'workflow_already_started');
  const e = error as AionError & { workflowId?: unknown; runId?: unknown };
  assert.equal(e.workflowId, workflowId, 'WorkflowAlreadyStartedError.workflowId');
  assert.equal(e.runId, openRunId, 'WorkflowAlreadyStartedError.runId names the open run');
}

export async function rejectsWithConflict(
  work: Promise<unknown>,
  expected: number,
  actual: number,
): Promise<void> {
  const error = await rejectsWithCode(work, 'sequence_conflict');
  assertConflict(error, expected, actual);
}

/** Asserts the outcome of one commit is a failure and returns its error. */
export function failedOutcome(outcome: CommitOutcome | undefined, what: string): AionError {
  assert.ok(outcome, `${what}: missing outcome`);
  assert.equal(outcome.ok, false, `${what} must fail`);
  return outcome.error;
}

/**
 * Drops `undefined`-valued properties (recursively) so rows compare by meaning: an absent
 * optional field and a field set to `undefined` are the same row. `null` is kept — it is not
 * a valid value for any optional field of the contract, so it must fail the comparison.
 */
export function defined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => defined(v)) as T;
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = defined(v);
    return out as T;
  }
  return value;
}

/** Asserts a run has exactly this head and nothing past it (history length and headSeq agree). */
export async function assertHead(
  store: Store,
  run: RunKey,
  head: number,
  what = 'history',
): Promise<void> {
  assert.equal(await store.headSeq(run), head, `${what}: headSeq`);
  const events = await store.readHistory(run);
  assert.equal(events.length, head, `${what}: number of events`);
  if (head > 0) assert.equal(events[events.length - 1]?.seq, head, `${what}: last seq`);
}

/** Sorted copy (code-unit order) for order-insensitive comparisons of ids. */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}
