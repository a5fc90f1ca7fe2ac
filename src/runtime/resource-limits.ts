// Memory limits of the workflow thread: the V8 heap cap it runs with (derived by default from
// the residency bound), the share of it workflow code may keep alive, and the error a request
// gets when workflow code ran the thread out of memory.
import { AionError } from '../core/index.js';

/** Runs kept in memory by default (`maxResidentRuns`). */
export const DEFAULT_MAX_RESIDENT_RUNS = 10_000;

/** Heap every workflow thread gets whatever its residency: sandboxes, runtime, working memory. */
const BASE_HEAP_MB = 256;
/**
 * Heap allowed per resident run on top of the base. A run waiting for a signal holds about
 * 13 KiB (measured: 10,000 resident waiters, 135 MiB live); the rest is room for state.
 */
const HEAP_PER_RESIDENT_RUN_KB = 128;

/**
 * The share of the heap cap workflow code may keep alive (measured after a full garbage
 * collection). The rest is headroom: V8 cannot recover from one allocation past its cap (an
 * array or map that doubles, a string flattened) and aborts the whole process, so the thread
 * is replaced well before that.
 */
export const HEAP_BUDGET_FRACTION = 0.4;

/** The default heap cap of the workflow thread: 256 MiB + 128 KiB per resident run. */
export function defaultWorkflowHeapLimitMb(maxResidentRuns: number): number {
  return BASE_HEAP_MB + Math.ceil((Math.max(0, maxResidentRuns) * HEAP_PER_RESIDENT_RUN_KB) / 1024);
}

/**
 * The young generation of the workflow thread (V8 `maxYoungGenerationSizeMb`). What an
 * activation allocates dies with it (~3.5 KiB each), and what lives on — resident runs — is
 * old by nature, so a small young generation costs scavenges that find little alive. V8's own
 * default lets it grow to 48 MiB during a burst: 10,000 runs starting at once (S3) peaked at
 * 405–450 MiB RSS with it (median 434) and at 414–426 (median 424) with 8 MiB, in eight
 * interleaved pairs, for the same throughput and CPU per workflow (docs/performance.md).
 */
export const WORKFLOW_YOUNG_GENERATION_MB = 8;

/** V8 limits of a workflow thread whose heap is capped at `heapLimitMb`. */
export function workflowThreadResourceLimits(heapLimitMb: number): {
  readonly maxOldGenerationSizeMb: number;
  readonly maxYoungGenerationSizeMb: number;
} {
  return {
    maxOldGenerationSizeMb: heapLimitMb,
    maxYoungGenerationSizeMb: WORKFLOW_YOUNG_GENERATION_MB,
  };
}

/** What the workflow thread was doing when it ran out of memory (or overran its deadline). */
export type ThreadActivity = 'code' | 'module' | 'load' | 'dispose';

/** How the thread tells the host, through shared memory, what it is running. */
export const THREAD_ACTIVITY = { code: 0, module: 1, load: 2, dispose: 3 } as const;

export function threadActivity(value: number): ThreadActivity {
  return value === THREAD_ACTIVITY.module
    ? 'module'
    : value === THREAD_ACTIVITY.load
      ? 'load'
      : value === THREAD_ACTIVITY.dispose
        ? 'dispose'
        : 'code';
}

/**
 * Workflow code ran the workflow thread out of memory: its live heap passed the budget, or
 * V8 stopped the thread at its heap cap. The thread was replaced; the runs of the request are
 * retried alone, and one that runs out of memory alone is charged (then parked).
 */
export class ResourceExhaustedError extends AionError {
  readonly heapLimitMb: number;

  constructor(heapLimitMb: number, during: ThreadActivity, request: string) {
    super(
      'resource_exhausted',
      `${describeActivity(during)} ran the workflow thread out of memory during ${REQUESTS[request] ?? `a ${request} request`} (heap limit ${heapLimitMb} MiB, workflowHeapLimitMb)`,
      { heapLimitMb, during },
    );
    this.name = 'ResourceExhaustedError';
    this.heapLimitMb = heapLimitMb;
  }
}

const REQUESTS: Readonly<Record<string, string>> = {
  activate: 'an activation',
  replay: 'a replay',
  load: 'the load of a package',
  inspect: 'the inspection of a package',
  query: 'a query',
  validateUpdate: 'an update validation',
};

export function describeActivity(during: ThreadActivity): string {
  switch (during) {
    case 'module':
      return "the workflow module's top-level code (loading it for a run)";
    case 'load':
      return "the package bundle's top-level code (loading the package)";
    case 'dispose':
      return "a closed run's dispose interceptors (leaving the workflow thread)";
    case 'code':
      return 'workflow code';
  }
}
