import { describe, expect, it } from 'vitest';
import { TimerQueue } from './timer-queue.js';

const until = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in 20 s');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('TimerQueue', () => {
  it('fires callbacks in instant order, same instants in scheduling order', async () => {
    const q = new TimerQueue(() => Date.now());
    const fired: string[] = [];
    const t0 = Date.now();
    q.add(t0 + 30, () => fired.push('c'));
    q.add(t0 + 10, () => fired.push('a1'));
    q.add(t0 + 20, () => fired.push('b'));
    q.add(t0 + 10, () => fired.push('a2'));
    q.add(t0 - 5, () => fired.push('past'));
    await until(() => fired.length === 5);
    expect(fired).toEqual(['past', 'a1', 'a2', 'b', 'c']);
    expect(q.size).toBe(0);
  });

  it('fires a due callback on a later turn, never inside add', async () => {
    const q = new TimerQueue(() => Date.now());
    let fired = false;
    q.add(Date.now() - 1, () => (fired = true));
    expect(fired).toBe(false);
    await until(() => fired);
  });

  it('drops cancelled callbacks, wherever they sit in the heap', async () => {
    const q = new TimerQueue(() => Date.now());
    const fired: number[] = [];
    const t0 = Date.now();
    const handles = Array.from({ length: 200 }, (_, i) =>
      q.add(t0 + ((i * 7919) % 50), () => fired.push(i)),
    );
    for (let i = 0; i < 200; i += 3) handles[i]!.cancel();
    handles[0]!.cancel(); // twice: harmless
    const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 !== 0);
    await until(() => fired.length === expected.length && q.size === 0);
    expect([...fired].sort((a, b) => a - b)).toEqual(expected);
    // In instant order.
    const at = (i: number): number => (i * 7919) % 50;
    for (let k = 1; k < fired.length; k++)
      expect(at(fired[k]!)).toBeGreaterThanOrEqual(at(fired[k - 1]!));
  });

  it('a callback scheduling a due callback runs it on a later wake', async () => {
    const q = new TimerQueue(() => Date.now());
    const fired: string[] = [];
    q.add(Date.now(), () => {
      fired.push('first');
      q.add(Date.now() - 100, () => fired.push('second'));
      expect(fired).toEqual(['first']);
    });
    await until(() => fired.length === 2);
    expect(fired).toEqual(['first', 'second']);
  });

  it('waits again when the wall clock is behind the instant at wake-up', async () => {
    let skew = 0;
    const q = new TimerQueue(() => Date.now() - skew);
    let fired = false;
    q.add(Date.now() + 20, () => (fired = true));
    skew = 60_000; // the clock was set back a minute after the timer was armed
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).toBe(false);
    skew = 0;
    q.add(Date.now(), () => undefined); // any wake re-checks the head
    await until(() => fired);
  });

  it('a throwing callback does not stop the others due with it', async () => {
    const q = new TimerQueue(() => Date.now());
    const fired: string[] = [];
    const errors: unknown[] = [];
    const onError = (err: unknown): void => {
      errors.push(err);
    };
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onError);
    try {
      const t0 = Date.now();
      q.add(t0, () => {
        throw new Error('boom');
      });
      q.add(t0, () => fired.push('after'));
      await until(() => fired.length === 1 && errors.length === 1);
      expect((errors[0] as Error).message).toBe('boom');
    } finally {
      process.off('uncaughtException', onError);
      for (const l of listeners) process.on('uncaughtException', l);
    }
  });
});
