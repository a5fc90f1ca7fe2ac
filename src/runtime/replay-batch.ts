// Rebuilds queued together go to the workflow thread as one request: a burst of runs woken
// past the residency bound (20,000 timers firing, 10,000 resident) replayed one round trip
// each, with the thread idle two thirds of the time between them.
import type { Fifo } from './fifo.js';
import { responseError, WorkflowThreadRestartedError } from './thread-errors.js';
import type { ReplayItem, WorkerRequest, WorkerResponse } from './worker-protocol.js';

/** Replays one request carries at most. */
export const REPLAY_BATCH = 64;

export interface QueuedRequest {
  readonly request: WorkerRequest;
  readonly timeoutMs: number;
  readonly resolve: (res: WorkerResponse) => void;
  readonly reject: (err: unknown) => void;
}

type QueuedReplay = QueuedRequest & { readonly request: { readonly type: 'replay' } & ReplayItem };

/**
 * The replays queued right behind `first` join it in one `replays` request, whose answer is
 * handed to each; `first` goes alone when nothing follows it. A run in `solo` goes alone: it
 * was in a batch the thread did not survive (a replay that never returned or ran the thread
 * out of memory), and alone, the failure is its own.
 */
export function withQueuedReplays(
  first: QueuedRequest,
  queue: Fifo<QueuedRequest>,
  solo: Set<string>,
  nextId: () => number,
): QueuedRequest {
  if (!isReplay(first) || solo.delete(first.request.key)) return first;
  const batch: QueuedReplay[] = [first];
  for (let next = queue.peek(); batch.length < REPLAY_BATCH; next = queue.peek()) {
    if (next === undefined || !isReplay(next) || solo.has(next.request.key)) break;
    batch.push(next);
    queue.shift();
  }
  if (batch.length === 1) return first;
  // Held evictions ride on the first request queued after them: the batch's head.
  const evict = first.request.evict;
  return {
    request: {
      id: nextId(),
      ...(evict !== undefined ? { evict } : {}),
      type: 'replays',
      items: batch.map(({ request: { key, version, run, events, stacks } }) => ({
        key,
        version,
        run,
        events,
        stacks,
      })),
    },
    timeoutMs: Math.max(...batch.map((p) => p.timeoutMs)),
    resolve: (res) => {
      const results = 'replays' in res ? res.replays : [];
      batch.forEach((p, i) => {
        const r = results[i];
        if (r === undefined) p.reject(new Error('the workflow thread answered fewer replays'));
        else if ('replay' in r) p.resolve({ id: p.request.id, ok: true, replay: r.replay });
        else p.reject(responseError(r.error));
      });
    },
    reject: (err) => {
      // Whose replay stopped the thread is not known: each is retried alone.
      for (const p of batch) {
        solo.add(p.request.key);
        p.reject(new WorkflowThreadRestartedError(String((err as Error)?.message ?? err)));
      }
    },
  };
}

function isReplay(p: QueuedRequest): p is QueuedReplay {
  return p.request.type === 'replay';
}
