import { AionError, type ErrorCode } from '../core/index.js';
import { DeadlockError, ResourceExhaustedError, WorkflowThread } from '../runtime/index.js';

export interface InspectOptions {
  /**
   * The deadlock timeout of the thread; the load may take 5 × that, at least 30 s (thread
   * start and compile included). Default 10 s.
   */
  readonly deadlockTimeoutMs?: number;
  /** Heap cap of the thread that loads it, MiB. Default: the workflow thread's default. */
  readonly heapLimitMb?: number;
  /** Evaluate on the calling thread (the deterministic simulator). Default false. */
  readonly inline?: boolean;
  /** The code of the errors: `package_build_failed` (build, default) or `package_invalid` (deploy). */
  readonly code?: Extract<ErrorCode, 'package_build_failed' | 'package_invalid'>;
}

/**
 * Evaluates a bundle once, on a short-lived thread of its own (so module-level code that
 * never returns or allocates without bound cannot hang the caller or another thread): it
 * must load, and it lists its workflow types. Refusals name a `rule` in their details:
 * `load_timeout`, `load_memory` or `load_failed`.
 */
export async function inspectBundle(
  bundle: string,
  options: InspectOptions = {},
): Promise<{ workflowTypes: string[]; defaults: string | undefined }> {
  const code = options.code ?? 'package_build_failed';
  const thread = new WorkflowThread({
    deadlockTimeoutMs: options.deadlockTimeoutMs ?? 10_000,
    ...(options.heapLimitMb !== undefined ? { heapLimitMb: options.heapLimitMb } : {}),
    ...(options.inline === true ? { inline: true } : {}),
    onRestart: () => undefined,
  });
  try {
    const inspected = await thread.inspect(bundle);
    return { workflowTypes: inspected.workflowTypes.sort(), defaults: inspected.defaults };
  } catch (err) {
    if (err instanceof DeadlockError) {
      throw new AionError(
        code,
        `workflow module code did not finish loading within ${err.timeoutMs} ms (a loop at module level?)`,
        { rule: 'load_timeout', timeoutMs: err.timeoutMs },
      );
    }
    if (err instanceof ResourceExhaustedError) {
      throw new AionError(
        code,
        `workflow module code ran out of memory while loading (heap limit ${err.heapLimitMb} MiB; unbounded allocation at module level?)`,
        { rule: 'load_memory', heapLimitMb: err.heapLimitMb },
      );
    }
    throw new AionError(code, `workflow bundle failed to load: ${(err as Error).message}`, {
      rule: 'load_failed',
    });
  } finally {
    await thread.close();
  }
}
