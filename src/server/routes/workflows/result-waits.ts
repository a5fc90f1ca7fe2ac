// Waiting for a run's outcome on behalf of a request: the result long-poll and a start that
// waits (`waitMs`). One engine waiter per run however many requests wait for it; a drain
// closing the server answers every open wait at once ("still running, ask again"), so the
// waits do not hold the drain for their whole length.
import type { FastifyInstance } from 'fastify';

/** The longest wait a request may ask for, in milliseconds. */
export const MAX_RESULT_WAIT_MS = 60_000;
/** The wait of a request that names none. */
export const DEFAULT_RESULT_WAIT_MS = 30_000;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface ResultWaits {
  /**
   * The outcome of the run `key` names (`result` asks the engine, once for all the requests
   * waiting on that key), or undefined when `waitMs` ran out or the server began to close.
   */
  wait(key: string, result: () => Promise<unknown>, waitMs: number): Promise<Outcome | undefined>;
}

/** The waits of one server (`app`): they end when it begins to close. */
export function resultWaits(app: FastifyInstance): ResultWaits {
  const pending = new Map<string, Promise<Outcome>>();
  let closing!: () => void;
  const closed = new Promise<undefined>((resolve) => (closing = () => resolve(undefined)));
  app.addHook('preClose', (done) => {
    closing();
    done();
  });
  return {
    async wait(key, result, waitMs) {
      let outcome = pending.get(key);
      if (!outcome) {
        outcome = result().then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        pending.set(key, outcome);
        void outcome.finally(() => pending.delete(key));
      }
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        outcome,
        closed,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), waitMs);
        }),
      ]);
      clearTimeout(timer);
      return first;
    },
  };
}

/** The key of a run's wait: its namespace, workflow id and run id (empty: the current run). */
export function waitKey(namespace: string, workflowId: string, runId: string | undefined): string {
  return `${namespace}\u0000${workflowId}\u0000${runId ?? ''}`;
}
