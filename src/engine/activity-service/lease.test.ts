import { describe, expect, it } from 'vitest';
import type { AttemptHandle } from '../../activity/internal.js';
import { VirtualClock } from '../../clock/index.js';
import type { ActivityTask, Store } from '../../store/index.js';
import { LeaseRenewals, type Running } from './lease.js';
import type { ServiceEnv, TaskData } from './types.js';

const T0 = Date.UTC(2026, 0, 1);

interface Extension {
  readonly taskId: string;
  readonly at: number;
  readonly leaseUntil: number;
}

/** A service env whose store records lease extensions and answers with `answer`. */
function setup(answer: (taskId: string) => Promise<boolean> = () => Promise.resolve(true)) {
  const clock = new VirtualClock(T0);
  const extensions: Extension[] = [];
  const store = {
    extendTaskLease: (x: { taskId: string; leaseUntil: number }) => {
      extensions.push({ taskId: x.taskId, at: clock.now(), leaseUntil: x.leaseUntil });
      return answer(x.taskId);
    },
  } as unknown as Store;
  const env = { store, clock, owner: 'engine-1' } as unknown as ServiceEnv;
  const live = new Map<string, Running>();
  const renewals = new LeaseRenewals(env, live);
  const cancelled: string[] = [];
  const track = (taskId: string, startToCloseTimeoutMs: number): Running => {
    const handle = {
      outcome: new Promise(() => undefined),
      cancel: (reason: string) => cancelled.push(`${taskId}: ${reason}`),
    } as unknown as AttemptHandle;
    const task = { namespace: 'default', taskId } as ActivityTask;
    const data = { options: { taskQueue: 'q', startToCloseTimeoutMs } } as unknown as TaskData;
    return renewals.track(handle, task, data);
  };
  /** Moves the clock and lets the store's answers settle. */
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { clock, extensions, live, renewals, cancelled, track, advance };
}

describe('LeaseRenewals', () => {
  it('extends a running attempt half a lease after it was taken, then every half lease', async () => {
    const s = setup();
    s.track('a', 30_000); // lease 60 s: extended every 30 s
    await s.advance(29_999);
    expect(s.extensions).toEqual([]);
    await s.advance(1);
    expect(s.extensions).toEqual([{ taskId: 'a', at: T0 + 30_000, leaseUntil: T0 + 90_000 }]);
    await s.advance(30_000);
    expect(s.extensions.map((e) => e.at)).toEqual([T0 + 30_000, T0 + 60_000]);
  });

  it('extends nothing for an attempt that finished, and stops waking once none runs', async () => {
    const s = setup();
    s.track('a', 30_000);
    s.live.delete('a');
    await s.advance(120_000);
    expect(s.extensions).toEqual([]);
    expect(s.clock.nextAt()).toBeUndefined();
  });

  it('a shorter lease taken after a longer one is extended on its own schedule', async () => {
    const s = setup();
    s.track('long', 600_000); // extended after 315 s
    await s.advance(1000);
    s.track('short', 0); // lease 30 s: extended after 15 s
    await s.advance(15_000);
    expect(s.extensions).toEqual([{ taskId: 'short', at: T0 + 16_000, leaseUntil: T0 + 46_000 }]);
    await s.advance(300_000);
    expect(s.extensions.filter((e) => e.taskId === 'long').map((e) => e.at)).toEqual([
      T0 + 316_000,
    ]);
  });

  it('cancels the attempt whose lease was lost; a failed extension is tried again later', async () => {
    let failures = 1;
    const s = setup((taskId) =>
      taskId === 'lost'
        ? Promise.resolve(false)
        : failures-- > 0
          ? Promise.reject(new Error('store unavailable'))
          : Promise.resolve(true),
    );
    s.track('lost', 30_000);
    s.track('flaky', 30_000);
    await s.advance(30_000);
    expect(s.cancelled).toEqual(['lost: the task lease was lost']);
    expect(s.extensions.map((e) => e.taskId).sort()).toEqual(['flaky', 'lost']);
    await s.advance(30_000); // the failed one again, half a lease later
    expect(s.extensions.filter((e) => e.taskId === 'flaky').map((e) => e.at)).toEqual([
      T0 + 30_000,
      T0 + 60_000,
    ]);
  });

  it('renewAllNow extends every running lease at once, and the schedule goes on from there', async () => {
    const s = setup((taskId) => Promise.resolve(taskId !== 'taken'));
    s.track('a', 30_000);
    s.track('taken', 600_000);
    await s.advance(1_000);
    s.renewals.renewAllNow();
    await s.advance(0);
    expect(s.extensions.map((e) => [e.taskId, e.at])).toEqual([
      ['a', T0 + 1_000],
      ['taken', T0 + 1_000],
    ]);
    expect(s.cancelled).toEqual(['taken: the task lease was lost']);
    expect(s.live.get('taken')?.superseded).toBe(true);
    await s.advance(30_000); // 'a' again half a lease after that extension
    expect(s.extensions.filter((e) => e.taskId === 'a').map((e) => e.at)).toEqual([
      T0 + 1_000,
      T0 + 31_000,
    ]);
  });

  it('extends nothing after stop', async () => {
    const s = setup();
    s.track('a', 30_000);
    s.renewals.stop();
    await s.advance(120_000);
    expect(s.extensions).toEqual([]);
  });
});
