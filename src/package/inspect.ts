import { AionError } from '../core/index.js';
import { DeadlockError, ResourceExhaustedError, WorkflowThread } from '../runtime/index.js';

/**
 * Evaluates a freshly built bundle once, on a short-lived workflow thread (so module-level
 * code that never returns cannot hang the build): it must load, and it lists its workflow types.
 */
export async function inspectBundle(
  bundle: string,
): Promise<{ workflowTypes: string[]; defaults: string | undefined }> {
  const thread = new WorkflowThread({ deadlockTimeoutMs: 10_000, onRestart: () => undefined });
  try {
    const inspected = await thread.inspect(bundle);
    return { workflowTypes: inspected.workflowTypes.sort(), defaults: inspected.defaults };
  } catch (err) {
    if (err instanceof DeadlockError) {
      throw new AionError(
        'package_build_failed',
        'workflow module code did not finish loading within 10 s (a loop at module level?)',
        {},
      );
    }
    if (err instanceof ResourceExhaustedError) {
      throw new AionError(
        'package_build_failed',
        `workflow module code ran out of memory while loading (heap limit ${err.heapLimitMb} MiB; unbounded allocation at module level?)`,
        {},
      );
    }
    throw new AionError(
      'package_build_failed',
      `workflow bundle failed to load: ${(err as Error).message}`,
      {},
    );
  } finally {
    await thread.close();
  }
}
