// Small helpers the drivers check with.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';

export { assert, delay };

/** Awaits `p`, which must reject; returns the rejection. */
export async function expectReject(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
