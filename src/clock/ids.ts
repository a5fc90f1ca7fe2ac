import { randomUUID } from 'node:crypto';

/**
 * The engine's source of fresh identifiers (run ids, generated workflow ids, update ids,
 * engine identity). Injected by the engine's assembly so a simulation can use a seeded one.
 */
export interface IdSource {
  /** A new UUID string (RFC 9562). */
  uuid(): string;
}

/**
 * A version 7 UUID (RFC 9562): the Unix time in milliseconds in its first 48 bits, then 74
 * random bits (from a cryptographically random version 4 UUID). Ids made close in time sort
 * close together, so the rows of runs started together — their run row, events, timers and
 * tasks, all keyed by run id — share B-tree pages instead of landing on a page each.
 */
export function uuidV7(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0');
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

/** Time-ordered UUIDs with 74 cryptographically random bits (the default; see {@link uuidV7}). */
export const randomIds: IdSource = { uuid: () => uuidV7() };

/**
 * Deterministic UUID-shaped ids from a 32-bit seed (xorshift32): the same seed yields the same
 * sequence, so a failing simulation can be replayed exactly. Not for production use.
 */
export class SeededIds implements IdSource {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  uuid(): string {
    let hex = '';
    for (let i = 0; i < 4; i++) hex += this.#next().toString(16).padStart(8, '0');
    const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  #next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
}
