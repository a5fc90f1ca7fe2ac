// Senders waiting for a commit while the store is unavailable: each waits at most the
// engine's store deadline, then is told `store_unavailable` and its arrival is withdrawn (if
// it was not committed meanwhile). While the store answers, nobody is given up, however slow.
import { AionError } from '../../core/index.js';
import type { StoreHealth } from '../store-health.js';
import type { StoreRetryEnv } from '../store-retry.js';
import type { Ack } from '../run-actor.js';

/** How often waiting senders are checked while some wait. */
const SWEEP_MS = 250;

class GuardedAck implements Ack {
  givenUp = false;
  /** True while the arrival is part of a commit whose outcome is not known yet. */
  inFlight = false;
  settled = false;
  readonly since: number;
  readonly #inner: Ack;
  readonly #done: (g: GuardedAck) => void;

  constructor(inner: Ack, since: number, done: (g: GuardedAck) => void) {
    this.#inner = inner;
    this.since = since;
    this.#done = done;
  }

  resolve(): void {
    if (this.#settle()) this.#inner.resolve();
  }

  reject(error: unknown): void {
    if (this.#settle()) this.#inner.reject(error);
  }

  giveUp(deadlineMs: number): void {
    if (!this.#settle()) return;
    this.givenUp = true;
    this.#inner.reject(
      new AionError(
        'store_unavailable',
        this.inFlight
          ? `the store did not answer within ${deadlineMs} ms; the commit was in flight when it went away, so it may still have been applied — retry with the same requestId to be safe`
          : `the store did not answer within ${deadlineMs} ms; nothing was recorded — retry later`,
        { deadlineMs, outcome: this.inFlight ? 'unknown' : 'not_applied' },
      ),
    );
  }

  #settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.#done(this);
    return true;
  }
}

/** The acks a plan carries: its start's and its arrivals' (see Plan). */
interface PlanAcks {
  readonly start?: { readonly ack: Ack } | undefined;
  readonly arrivals: readonly { readonly ack?: Ack | undefined }[];
}

/** Marks the acks of a plan as being committed (or not any more); allocates nothing. */
export function setInFlight(p: PlanAcks, inFlight: boolean): void {
  if (p.start?.ack instanceof GuardedAck) p.start.ack.inFlight = inFlight;
  for (const arrival of p.arrivals)
    if (arrival.ack instanceof GuardedAck) arrival.ack.inFlight = inFlight;
}

export class AckDeadlines {
  readonly #env: StoreRetryEnv;
  readonly #health: StoreHealth;
  readonly #waiting = new Set<GuardedAck>();
  /** One function for every guard to leave the set by (not a closure made per guard). */
  readonly #forget = (g: GuardedAck): void => {
    this.#waiting.delete(g);
  };
  #sweeping = false;

  constructor(env: StoreRetryEnv, health: StoreHealth) {
    this.#env = env;
    this.#health = health;
  }

  /** Wraps a sender's ack so that it is given up past the deadline during an outage. */
  guard(ack: Ack): Ack {
    if (ack instanceof GuardedAck || ack.patient === true) return ack;
    const g = new GuardedAck(ack, this.#env.clock.now(), this.#forget);
    this.#waiting.add(g);
    if (!this.#sweeping) void this.#sweep();
    return g;
  }

  async #sweep(): Promise<void> {
    this.#sweeping = true;
    try {
      while (this.#waiting.size > 0 && !this.#env.stopped()) {
        await this.#env.delay(SWEEP_MS, { unref: true });
        if (this.#health.available) continue;
        const cutoff = this.#env.clock.now() - this.#env.deadlineMs;
        for (const g of [...this.#waiting]) if (g.since <= cutoff) g.giveUp(this.#env.deadlineMs);
      }
    } finally {
      this.#sweeping = false;
    }
  }
}
