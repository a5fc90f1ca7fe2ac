/**
 * A full disk is "store unavailable": the SQLite store is capped with `PRAGMA max_page_count`
 * (writes fail with SQLITE_FULL while reads still answer), then uncapped. Meanwhile the
 * engine reports the store unavailable (status, readiness, metric), client calls fail with
 * `store_unavailable`, nothing hot-loops or crashes; afterwards every run completes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEngine, type Engine, type Metrics } from '../../src/index.js';
import { isAionError, resolveLimits, type HistoryEvent } from '../../src/core/index.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { collectEscapedErrors } from '../support/escaped-errors.js';
import {
  allCompleted,
  faultWorkflowsPath,
  faultWorkload,
  FAULT_STEPS,
} from '../support/fault-workload.js';

const { activities, executions } = faultWorkload(() => 5);

/** The last value of each gauge and the sum of each counter, by metric name. */
function recordingMetrics(): { metrics: Metrics; values: Map<string, number> } {
  const values = new Map<string, number>();
  const metrics: Metrics = {
    counter: (name) => ({ inc: (v = 1) => values.set(name, (values.get(name) ?? 0) + v) }),
    gauge: (name) => ({ set: (v) => values.set(name, v) }),
    histogram: () => ({ observe: () => undefined }),
  };
  return { metrics, values };
}

const faults = collectEscapedErrors();
let dir: string;
let db: Database.Database;
let engine: Engine | undefined;
let store: SqliteStore | undefined;
const lines: { level: string; message: string }[] = [];
const log =
  (level: string) =>
  (message: string): void => {
    lines.push({ level, message });
  };

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-full-'));
  const file = path.join(dir, 'aion.db');
  // The store on a connection this test holds, so it can cap the file's size.
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, file);
  store = new SqliteStore(db, { lock: undefined, ownership: undefined }, resolveLimits(), file);
});

afterEach(async () => {
  await engine?.shutdown({ timeoutMs: 2000 }).catch(() => undefined);
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  engine = undefined;
  executions.clear();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

it('treats a full disk as store unavailable and continues every run once there is room', async () => {
  const { metrics, values } = recordingMetrics();
  engine = await createEngine({
    store: store!,
    workflowsPath: faultWorkflowsPath,
    activities,
    metrics,
    storeRetryDeadlineMs: 1000,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
  const e = engine;
  const ids = Array.from({ length: 30 }, (_, i) => `f-${i}`);
  for (const id of ids) await e.start('faulty', { workflowId: id, args: [id, FAULT_STEPS] });

  // Full: no page beyond those the file has now, and the room left inside them taken.
  db.exec('CREATE TABLE filler (x BLOB)');
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  const fill = db.prepare('INSERT INTO filler (x) VALUES (zeroblob(?))');
  const fillUp = (): void => {
    for (const size of [65536, 4096, 512, 64, 1]) {
      try {
        for (;;) fill.run(size);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SQLITE_FULL');
      }
    }
  };
  fillUp();
  await until('the engine to see the store unavailable', () => !e.storeStatus().available);
  expect(e.storeStatus().lastError?.code).toBe('SQLITE_FULL');
  expect(values.get('aion_store_available')).toBe(0);
  expect(values.get('aion_store_errors_total')).toBeGreaterThan(0);
  expect(await e.checkStore()).toBe(false);
  // Room a commit of the engine's freed meanwhile (a run's deleted rows) is taken again. The
  // start carries a 100 KB argument: its history needs whole new pages, which room freed by
  // the engine's own writes between the filling and its commit (scraps inside pages) cannot
  // give it — a small start could fit there, and then rightly commit.
  fillUp();
  const started = await e
    .start('faulty', { workflowId: 'while-full', args: ['x'.repeat(100_000), FAULT_STEPS] })
    .then(
      () => 'started',
      (err: unknown) => (isAionError(err) ? err.code : err),
    );
  expect(started).toBe('store_unavailable');
  await sleep(3000); // the engine keeps retrying meanwhile (spaced out, not in a hot loop)
  const errorsWhileFull = values.get('aion_store_errors_total') ?? 0;
  // At most a few attempts per run and second with the backoff capped at 5 s.
  expect(errorsWhileFull).toBeLessThan(ids.length * 40);

  db.pragma('max_page_count = 1073741823');
  await until('the store to be available again', () => e.checkStore());
  expect(values.get('aion_store_available')).toBe(1);
  for (const id of ids) {
    await until(`signal to ${id}`, () =>
      e
        .getHandle(id)
        .signalWithRequestId(`go-${id}`, 'go', 'done')
        .then(() => true),
    );
  }
  await until('every run to complete', () => allCompleted(e, ids), 90_000);
  for (const id of ids) {
    const events: readonly HistoryEvent[] = (await e.getHandle(id).fetchHistory()).events;
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((ev) => ev.type === 'ActivityCompleted')).toHaveLength(FAULT_STEPS + 3);
    for (const step of [...Array(FAULT_STEPS).keys(), 100, 101, 200])
      expect({ id, step, runs: executions.get(`${id}/${step}`) }).toEqual({ id, step, runs: 1 });
  }
  expect(faults).toEqual([]);
  // One line when the store went away and one when it came back — not one per attempt.
  expect(lines.filter((l) => l.message.startsWith('store unavailable'))).toHaveLength(1);
  expect(lines.filter((l) => l.message === 'store available again')).toHaveLength(1);
}, 120_000);
