import { composeInterceptors, type Headers, type Payload } from '../core/index.js';
import type { WorkflowOutboundCallsInterceptor } from './interceptors.js';
import { encode, getState, type RunState } from './internal/run-state.js';
import type { SearchAttributeValueInput } from './search-attribute-input.js';
import { plainSearchAttributes } from './search-attributes.js';

const BRAND = Symbol.for('aion.continueAsNew');

/**
 * Thrown by {@link continueAsNew}: not an error — it ends the run as `CONTINUED_AS_NEW` and
 * starts its successor under the same workflow id with a fresh history. Do not catch it (or
 * rethrow it if you do).
 */
export class ContinueAsNew extends Error {
  readonly [BRAND] = true;
  constructor(
    readonly workflowType: string,
    readonly args: readonly Payload[],
    readonly taskQueue: string,
    readonly headers?: Headers,
    /** Set when the caller gave the successor's memo / search attributes. */
    readonly memo?: Readonly<Record<string, Payload>>,
    readonly searchAttributes?: Payload,
  ) {
    super(`continue as new (${workflowType})`);
    this.name = 'ContinueAsNew';
  }
}

export function isContinueAsNew(value: unknown): value is ContinueAsNew {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

export interface ContinueAsNewOptions {
  /** Workflow type of the successor. Default: this run's type. */
  readonly workflowType?: string;
  /** Task queue of the successor. Default: this run's queue. */
  readonly taskQueue?: string;
  /**
   * Memo of the successor (any JSON values), replacing this run's. Default: this run's memo,
   * with its upserts.
   */
  readonly memo?: Readonly<Record<string, unknown>>;
  /**
   * Search attributes of the successor (registered names, values as for
   * `upsertSearchAttributes`), replacing this run's. Default: this run's, with its upserts.
   */
  readonly searchAttributes?: Readonly<Record<string, SearchAttributeValueInput>>;
}

type AnyWorkflow = (...args: never[]) => Promise<unknown>;

function encodeMemo(s: RunState, memo: Readonly<Record<string, unknown>>): Record<string, Payload> {
  const out: Record<string, Payload> = {};
  for (const [key, value] of Object.entries(memo))
    if (value !== null && value !== undefined) out[key] = encode(s, value);
  return out;
}

/**
 * Returns a function that ends this run and starts a successor (same workflow id, new run
 * id, fresh history, the workflow type's currently routed package version).
 */
export function makeContinueAsNewFunc<F extends AnyWorkflow>(
  options: ContinueAsNewOptions = {},
): (...args: Parameters<F>) => Promise<never> {
  return (...args: Parameters<F>): Promise<never> => {
    const s = getState();
    const workflowType = options.workflowType ?? s.info.workflowType;
    const taskQueue = options.taskQueue ?? s.info.taskQueue;
    return composeInterceptors(
      s.interceptors.outbound as readonly WorkflowOutboundCallsInterceptor[],
      'continueAsNew',
      (input) =>
        Promise.reject(
          new ContinueAsNew(
            input.workflowType,
            input.args.map((a) => encode(s, a)),
            input.taskQueue,
            Object.keys(input.headers).length > 0 ? input.headers : undefined,
            input.memo === undefined ? undefined : encodeMemo(s, input.memo),
            input.searchAttributes === undefined
              ? undefined
              : encode(s, plainSearchAttributes(input.searchAttributes)),
          ),
        ),
    )({
      workflowType,
      taskQueue,
      args: args,
      headers: {},
      ...(options.memo !== undefined ? { memo: options.memo } : {}),
      ...(options.searchAttributes !== undefined
        ? { searchAttributes: options.searchAttributes }
        : {}),
    });
  };
}

/**
 * Ends this run as `CONTINUED_AS_NEW` and starts its successor with `args` (same type and
 * task queue). Use it to keep histories short in long-lived workflows; see
 * `workflowInfo().continueAsNewSuggested`.
 *
 * @example
 * if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof counter>(state);
 */
export function continueAsNew<F extends AnyWorkflow>(...args: Parameters<F>): Promise<never> {
  return makeContinueAsNewFunc<F>()(...args);
}
