// Time travel on every store, over a history longer than one page of the scan (5,000
// events): the boundaries, the state at the end and in the middle, nothing recorded.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonPayloadConverter, stampEvent, type HistoryEvent } from '../../src/core/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { quiet } from '../support/quiet-logger.js';
import { ENGINE_HARNESSES } from './harness.js';

const WORKFLOWS = `import { condition, defineQuery, defineSignal, setHandler } from 'aion/workflow';
const add = defineSignal<[number]>('add');
const total = defineQuery<number>('total');
export async function tally(start: number): Promise<number> {
  let n = start;
  setHandler(add, (k) => { n += k; });
  setHandler(total, () => n);
  await condition(() => n < 0);
  return n;
}`;

/** Signals written straight into the store: WorkflowStarted, a first task, then 6,000 × (signal, task). */
const SIGNALS = 6000;

let dir: string | undefined;
let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.each(ENGINE_HARNESSES)('time travel on $name', (harness) => {
  it('pages through a long history and answers from the state at the chosen boundary', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-time-travel-'));
    const workflowsPath = path.join(dir, 'workflows.ts');
    writeFileSync(workflowsPath, WORKFLOWS);
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, logger: quiet });
    const version = (await (await engine.start('tally', { args: [0] })).describe()).version;

    const json = new JsonPayloadConverter();
    const run = { namespace: 'default', workflowId: 'long', runId: randomUUID() };
    const now = Date.now();
    const events: HistoryEvent[] = [
      stampEvent(
        {
          type: 'WorkflowStarted',
          workflowType: 'tally',
          taskQueue: 'default',
          args: [json.toPayload(0)],
          version,
        },
        1,
        now,
      ),
      stampEvent({ type: 'WorkflowTaskCompleted' }, 2, now),
    ];
    for (let i = 0; i < SIGNALS; i++) {
      const seq = events.length;
      events.push(
        stampEvent(
          { type: 'SignalReceived', signalName: 'add', args: [json.toPayload(1)] },
          seq + 1,
          now,
        ),
        stampEvent({ type: 'WorkflowTaskCompleted' }, seq + 2, now),
      );
    }
    for (let from = 0; from < events.length; from += 2000)
      await handle.store.append(run, events.slice(from, from + 2000), from);

    const h = engine.getHandle('long', run.runId);
    const head = events.length;
    const end = await h.timeTravel({ atSeq: head, queries: [{ name: 'total' }] });
    expect(end.boundarySeq).toBe(head);
    expect(end.boundaries.length).toBe(SIGNALS + 1);
    expect(end.boundaries[0]).toBe(2);
    expect(end.boundaries.at(-1)).toBe(head);
    expect(end.queries).toEqual([{ name: 'total', ok: true, result: SIGNALS }]);
    expect(end.stackTrace).toMatch(/condition/);

    // Seq 7001 is a signal: the state after the task before it (seq 7000, 3,499 signals).
    const middle = await h.timeTravel({ atSeq: 7001, queries: [{ name: 'total' }] });
    expect(middle.boundarySeq).toBe(7000);
    expect(middle.queries[0]).toEqual({ name: 'total', ok: true, result: 3499 });

    // Several at once take turns; each gets its own answer.
    const seqs = [2, 4, 1000, 7001, head];
    const answers = await Promise.all(
      seqs.map((atSeq) => h.timeTravel({ atSeq, queries: [{ name: 'total' }] })),
    );
    expect(answers.map((a) => a.queries[0])).toEqual(
      [0, 1, 499, 3499, SIGNALS].map((result) => ({ name: 'total', ok: true, result })),
    );

    await expect(h.timeTravel({ atSeq: head + 1 })).rejects.toMatchObject({
      code: 'invalid_argument',
      details: { field: 'atSeq' },
    });
    expect((await handle.store.readHistory(run)).length).toBe(head);
  }, 180_000);
});

describe('time travel off the live workflow thread', () => {
  it('a replay whose query never returns fails alone; the live thread keeps its runs', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-time-travel-'));
    const workflowsPath = path.join(dir, 'workflows.ts');
    writeFileSync(
      workflowsPath,
      `${WORKFLOWS}
const spin = defineQuery<number>('spin');
export async function spinner(): Promise<number> {
  setHandler(spin, () => { for (;;) { /* never returns */ } });
  await condition(() => false);
  return 0;
}`,
    );
    handle = await ENGINE_HARNESSES[0]!.create();
    const warnings: string[] = [];
    engine = await createEngine({
      store: handle.store,
      workflowsPath,
      deadlockTimeoutMs: 1000,
      logger: { ...quiet, warn: (message: string) => void warnings.push(message) },
    });
    const live = await engine.start('tally', { args: [5] });
    const stuck = await engine.start('spinner');
    expect(await live.query('total')).toBe(5);
    const seq = (await stuck.fetchHistory()).events.length;
    // The sandbox's own timeout answers the query as failed, or the thread's watchdog (which
    // may fire first) fails the whole call: either way query_failed, and only here.
    const outcome = await stuck.timeTravel({ atSeq: seq, queries: [{ name: 'spin' }] }).then(
      (r) => r.queries[0],
      (err: unknown) => err,
    );
    expect(outcome).toMatchObject({ code: 'query_failed' });
    // The live thread was not restarted: its runs stayed resident and answer as before.
    expect(warnings.filter((w) => w.includes('workflow thread restarted'))).toEqual([]);
    await live.signal('add', 2);
    expect(await live.query('total')).toBe(7);
  }, 60_000);
});
