// Whether a node's leases have held without a break since a moment it marked. Other nodes void
// the task leases of a node whose shard leases expired (ADR 0014), so a task leased before a
// break may already run elsewhere: its attempt must confirm the lease in the store before it
// starts. Judged on this process's monotonic clock, from when each renewal was sent (the
// database sets the expiry from its own later `now()`, so the estimate errs early).

import type { LeaseStanding } from '../contract/index.js';

/** The standing of a node that renews its leases; see the module comment. */
export class RenewedStanding implements LeaseStanding {
  readonly #now: () => number;
  /** Until when (this process's clock) every lease held is known to be valid. */
  #validUntil = -Infinity;
  /** Grows at every break; a mark is the generation it was taken in. */
  #generation = 0;
  #marginMs = 0;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** The clock every `sentAt` given to {@link renewed} is read on. */
  now(): number {
    return this.#now();
  }

  /**
   * Every lease held was renewed (or claimed) by a request sent at `sentAt`, for `ttlMs`. A
   * renewal sent once the leases may already have expired starts a new generation.
   */
  renewed(sentAt: number, ttlMs: number): void {
    this.#marginMs = Math.min(1000, ttlMs / 5);
    if (sentAt >= this.#validUntil - this.#marginMs) this.#generation++;
    this.#validUntil = Math.max(this.#validUntil, sentAt + ttlMs);
  }

  /** A lease was found taken: whatever was leased before may be voided. */
  broken(): void {
    this.#generation++;
    this.#validUntil = -Infinity;
  }

  mark(): number {
    return this.#generation;
  }

  heldSince(mark: number): boolean {
    return mark === this.#generation && this.#now() < this.#validUntil - this.#marginMs;
  }
}
