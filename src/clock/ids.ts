import { randomFillSync } from 'node:crypto';

/**
 * The engine's source of fresh identifiers (run ids, generated workflow ids, update ids,
 * engine identity). Injected by the engine's assembly so a simulation can use a seeded one.
 */
export interface IdSource {
  /** A new UUID string (RFC 9562). */
  uuid(): string;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Random bytes of the next ids, 10 per id, refilled from the CSPRNG when used up. */
const POOL_IDS = 1024;
const pool = Buffer.alloc(POOL_IDS * 10);
let pooled = 0;
const TWO_24 = 0x1000000;

/**
 * A version 7 UUID (RFC 9562): the Unix time in milliseconds in its first 48 bits, then 74
 * cryptographically random bits (`crypto.randomFillSync`, drawn 10 KiB at a time). Ids made
 * close in time sort close together, so the rows of runs started together — their run row,
 * events, timers and tasks, all keyed by run id — share B-tree pages instead of landing on a
 * page each.
 */
export function uuidV7(now = Date.now()): string {
  if (pooled === 0) randomFillSync(pool);
  const o = pooled * 10;
  pooled = pooled === POOL_IDS - 1 ? 0 : pooled + 1;
  const b = pool;
  // 48 bits of time as 12 hex digits (two 24-bit halves: exact for any epoch millisecond).
  const time =
    Math.floor(now / TWO_24)
      .toString(16)
      .padStart(6, '0') + (now % TWO_24).toString(16).padStart(6, '0');
  return (
    time.slice(0, 8) +
    '-' +
    time.slice(8, 12) +
    // version 7, then 12 random bits
    '-7' +
    HEX[b[o]! & 0x0f]!.slice(1) +
    HEX[b[o + 1]!]! +
    // variant 10, then 62 random bits
    '-' +
    HEX[(b[o + 2]! & 0x3f) | 0x80]! +
    HEX[b[o + 3]!]! +
    '-' +
    HEX[b[o + 4]!]! +
    HEX[b[o + 5]!]! +
    HEX[b[o + 6]!]! +
    HEX[b[o + 7]!]! +
    HEX[b[o + 8]!]! +
    HEX[b[o + 9]!]!
  );
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
