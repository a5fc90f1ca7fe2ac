// Engine shutdown while activities run: the running attempt finishes and is recorded, the
// activity it leads to stays in the store (unleased) for the next engine, nothing escapes.
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { collectEscapedErrors } from '../support/escaped-errors.js';
import { ENGINE_HARNESSES } from './harness.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/drain.ts', import.meta.url).pathname;

const escaped = collectEscapedErrors();

describe.each(ENGINE_HARNESSES)(
  'engine shutdown during a chain of activities on $name',
  (harness) => {
    it('records the running step, leaves the next in the store, and the next engine finishes', async () => {
      const handle = await harness.create();
      const log: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let first: Engine | undefined = await createEngine({
        store: handle.store,
        workflowsPath,
        logger: quiet,
        activities: {
          step: async (i: number) => {
            log.push(`start ${i}`);
            if (i === 2) await gate; // still running when the shutdown begins
            log.push(`end ${i}`);
            return i;
          },
        },
      });
      let second: Engine | undefined;
      try {
        const h = await first.start('chain', { workflowId: 'drain-1', args: [4] });
        const deadline = Date.now() + 30_000;
        while (!log.includes('start 2')) {
          if (Date.now() > deadline) throw new Error('step 2 did not start');
          await new Promise((r) => setTimeout(r, 10));
        }
        const stopping = first.shutdown({ timeoutMs: 30_000 });
        release();
        await stopping;
        first = undefined;
        expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
        const run = { namespace: 'default', workflowId: 'drain-1', runId: h.runId! };
        const tasks = await handle.store.listTasks(run);
        expect(tasks).toHaveLength(1); // step 3, waiting
        expect(tasks[0]!.leaseOwner ?? null).toBeNull();

        second = await createEngine({
          store: handle.store,
          workflowsPath,
          logger: quiet,
          activities: { step: async (i: number) => (log.push(`again ${i}`), i) },
        });
        expect(await second.getHandle('drain-1').result()).toBe(10);
        expect(log.slice(4)).toEqual(['again 3', 'again 4']);
        const { events } = await second.getHandle('drain-1').fetchHistory();
        expect(events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(4);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      } finally {
        release();
        await first?.shutdown({ timeoutMs: 1000 });
        await second?.shutdown({ timeoutMs: 1000 });
        await handle.dispose();
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(escaped).toEqual([]);
    });
  },
);
