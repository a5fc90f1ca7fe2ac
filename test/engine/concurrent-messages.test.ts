// Many updates, signals and queries on one run at once: each is recorded exactly once, in a
// contiguous history, every caller gets its answer, and the engine shuts down cleanly.
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type HistoryEvent } from '../../src/index.js';
import type { StoreHandle } from '../../src/testing/index.js';
import { collectEscapedErrors } from '../support/escaped-errors.js';
import { ENGINE_HARNESSES } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/messages.ts', import.meta.url).pathname;
const activities = {
  echo: async (label: string) => {
    await new Promise((r) => setTimeout(r, 1 + (label.length % 5)));
    return label;
  },
};

// Errors nobody awaited (e.g. a late dispatch after shutdown) must not escape.
const escaped = collectEscapedErrors();

let engine: Engine | undefined;
let handle: StoreHandle | undefined;
afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 5000 });
  await handle?.dispose();
  engine = undefined;
  handle = undefined;
});

function expectContiguous(events: readonly HistoryEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

const ROUNDS = 4;
const UPDATES = 20;
const SIGNALS = 10;
const QUERIES = 10;

describe.each(ENGINE_HARNESSES)('concurrent messages on $name', (harness) => {
  it('answers two updates sent at once, recording each once', async () => {
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, activities, logger: quiet });
    for (let round = 0; round < 5; round++) {
      const h = await engine.start('mailbox', { workflowId: `two-${round}` });
      const sizes = await Promise.all([
        h.executeUpdate<number>('add', { args: ['a'], updateId: 'a' }),
        h.executeUpdate<number>('add', { args: ['b'], updateId: 'b' }),
      ]);
      expect(sizes.sort()).toEqual([1, 2]);
      await h.signal('stop');
      expect(((await h.result()) as string[]).sort()).toEqual(['a', 'b']);
      const { events } = await h.fetchHistory();
      expectContiguous(events);
      expect(events.filter((e) => e.type === 'UpdateAccepted')).toHaveLength(2);
      expect(events.filter((e) => e.type === 'UpdateCompleted')).toHaveLength(2);
    }
  });

  it('records each of many parallel updates and signals once, answering every caller', async () => {
    handle = await harness.create();
    engine = await createEngine({ store: handle.store, workflowsPath, activities, logger: quiet });
    for (let round = 0; round < ROUNDS; round++) {
      const h = await engine.start('mailbox', { workflowId: `mb-${round}` });
      const updates = Array.from({ length: UPDATES }, (_, i) =>
        h.executeUpdate<number>(i % 2 === 0 ? 'add' : 'addQuick', {
          args: [`u${i}`],
          updateId: `r${round}-u${i}`,
        }),
      );
      const signals = Array.from({ length: SIGNALS }, (_, i) => h.signal('poke', `s${i}`));
      const queries = Array.from({ length: QUERIES }, () => h.query<number>('size'));
      const settled = await Promise.allSettled([...updates, ...signals, ...queries]);
      const failures = settled.filter((s) => s.status === 'rejected');
      expect(failures, `round ${round}`).toEqual([]);
      const sizes = (await Promise.all(updates)).sort((a, b) => a - b);
      expect(new Set(sizes).size).toBe(UPDATES); // each update saw its own item added
      for (const q of await Promise.all(queries)) expect(q).toBeGreaterThanOrEqual(0);
      await h.signal('stop');
      const items = (await h.result()) as string[];
      expect([...items].sort()).toEqual(
        [
          ...Array.from({ length: UPDATES }, (_, i) => `u${i}`),
          ...Array.from({ length: SIGNALS }, (_, i) => `s${i}`),
        ].sort(),
      );
      const { events } = await h.fetchHistory();
      expectContiguous(events);
      for (let i = 0; i < UPDATES; i++) {
        const id = `r${round}-u${i}`;
        const accepted = events.filter((e) => e.type === 'UpdateAccepted' && e.updateId === id);
        const completed = events.filter((e) => e.type === 'UpdateCompleted' && e.updateId === id);
        expect(accepted, id).toHaveLength(1);
        expect(completed, id).toHaveLength(1);
      }
      const pokes = events.filter((e) => e.type === 'SignalReceived' && e.signalName === 'poke');
      expect(pokes).toHaveLength(SIGNALS);
    }
    await engine.shutdown({ timeoutMs: 5000 });
    engine = undefined;
    await new Promise((r) => setTimeout(r, 50));
    expect(escaped).toEqual([]);
  });
});
