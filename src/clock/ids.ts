import { randomFillSync } from 'node:crypto';

/**
 * The engine's source of fresh identifiers (run ids, generated workflow ids, update ids,
 * engine identity). Injected by the engine's assembly so a simulation can use a seeded one.
 */
export interface IdSource {
  /** A new UUID string (RFC 9562). */
  uuid(): string;
}

/** ASCII codes of the hex digits. */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH = 0x2d;
const SEVEN = 0x37;
/** Random bytes of the next ids, 10 per id, refilled from the CSPRNG when used up. */
const POOL_IDS = 1024;
const pool = Buffer.alloc(POOL_IDS * 10);
let pooled = 0;
/** The id's text is written here, then read out as one flat string. */
const text = Buffer.alloc(36);
const TWO_24 = 0x1000000;

function hexByte(at: number, byte: number): void {
  text[at] = HEX[byte >> 4]!;
  text[at + 1] = HEX[byte & 15]!;
}

/**
 * A version 7 UUID (RFC 9562): the Unix time in milliseconds in its first 48 bits, then 74
 * cryptographically random bits (`crypto.randomFillSync`, drawn 10 KiB at a time). Ids made
 * close in time sort close together, so the rows of runs started together — their run row,
 * events, timers and tasks, all keyed by run id — share B-tree pages instead of landing on a
 * page each. The text is written byte by byte and read out once (no intermediate strings).
 */
export function uuidV7(now = Date.now()): string {
  if (pooled === 0) randomFillSync(pool);
  const r = pooled * 10;
  pooled = pooled === POOL_IDS - 1 ? 0 : pooled + 1;
  // 48 bits of time, in two 24-bit halves (exact for any epoch millisecond).
  const hi = Math.floor(now / TWO_24);
  const lo = now % TWO_24;
  hexByte(0, (hi >>> 16) & 0xff);
  hexByte(2, (hi >>> 8) & 0xff);
  hexByte(4, hi & 0xff);
  hexByte(6, (lo >>> 16) & 0xff);
  text[8] = DASH;
  hexByte(9, (lo >>> 8) & 0xff);
  hexByte(11, lo & 0xff);
  text[13] = DASH;
  text[14] = SEVEN; // version 7, then 12 random bits
  text[15] = HEX[pool[r]! & 15]!;
  hexByte(16, pool[r + 1]!);
  text[18] = DASH;
  hexByte(19, (pool[r + 2]! & 0x3f) | 0x80); // variant 10, then 62 random bits
  hexByte(21, pool[r + 3]!);
  text[23] = DASH;
  for (let i = 0; i < 6; i++) hexByte(24 + 2 * i, pool[r + 4 + i]!);
  return text.toString('latin1', 0, 36);
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
