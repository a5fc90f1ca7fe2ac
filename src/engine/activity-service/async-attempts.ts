// Attempts that raised CompleteAsyncError on this engine: only they may be completed or
// failed by their task token (a token of an attempt still running, or of one that ended,
// is refused), and only with a token this cluster signed.
import { AionError, RecentSet } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { TaskTokens } from '../task-tokens.js';

/**
 * Marks kept (an attempt never completed by its token is forgotten eventually): the newest
 * 100,000 at least, 200,000 at most.
 */
const KEEP_AWAITING = 100_000;

export class AsyncAttempts {
  readonly #awaiting = new RecentSet<string>(KEEP_AWAITING);

  static key(taskId: string, attempt: number): string {
    return `${taskId}#${attempt}`;
  }

  mark(taskId: string, attempt: number): void {
    this.#awaiting.add(AsyncAttempts.key(taskId, attempt));
  }

  /** The attempt was settled by its token. */
  settled(taskId: string, attempt: number): void {
    this.#awaiting.delete(AsyncAttempts.key(taskId, attempt));
  }

  /**
   * Admits an async completion: the token must verify (`task_token_invalid`), its attempt
   * must be pending (`not_found`) and have raised CompleteAsyncError (`not_task_holder`).
   */
  async admit(
    tokens: TaskTokens,
    store: Store,
    token: string,
    taskIdOf: (runId: string, activityId: string) => string,
  ): Promise<{ taskId: string; attempt: number }> {
    const t = tokens.verify(token);
    const taskId = taskIdOf(t.runId, t.activityId);
    if (this.#awaiting.has(AsyncAttempts.key(taskId, t.attempt))) {
      return { taskId, attempt: t.attempt };
    }
    const task = await store.getTask(t.namespace, taskId);
    if (!task || task.attempt !== t.attempt) {
      throw new AionError(
        'not_found',
        `no pending activity attempt for this task token (activity ${t.activityId} of run ${t.runId}, attempt ${t.attempt})`,
        { ...t },
      );
    }
    throw new AionError(
      'not_task_holder',
      `attempt ${t.attempt} of activity ${t.activityId} of run ${t.runId} did not raise CompleteAsyncError: only such an attempt is completed by its token (a running attempt reports its own result)`,
      { ...t },
    );
  }
}
