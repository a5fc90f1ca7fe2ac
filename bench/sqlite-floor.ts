// The raw-driver floor of a SQLite workload: records the statements every store commit runs
// (SQL and parameters, per transaction) while the engine works, then replays the writes
// through plain better-sqlite3 — same rows per transaction, same pragmas, prepared once — on a
// fresh copy of the schema. What the replay takes is what the driver alone needs for the
// engine's writes; the engine's own time is judged against it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../src/store/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';

export interface Call {
  readonly sql: string;
  readonly args: unknown[];
}
type Method = (this: { source: string }, ...args: unknown[]) => unknown;

const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

/** Statements run by `store.commit` calls while recording, one array per commit call. */
export class StatementRecorder {
  readonly transactions: Call[][] = [];
  #current: Call[] | undefined;
  #reads = 0;
  #on = false;

  /**
   * Patches better-sqlite3's Statement (process-wide) and wraps `store.commit`; call before an
   * engine takes the store. Nothing is kept until {@link start}.
   */
  constructor(store: Store) {
    const probe = new Database(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, Method>;
    probe.close();
    const original = proto.run!;
    const current = (): Call[] | undefined => this.#current;
    const countRead = (): void => {
      if (this.#current !== undefined) this.#reads++;
    };
    proto.run = function (this: { source: string }, ...args: unknown[]) {
      const tx = current();
      if (tx !== undefined && !CONTROL.test(this.source))
        tx.push({ sql: this.source, args: args.map(copyArg) });
      return original.apply(this, args);
    };
    for (const name of ['get', 'all'] as const) {
      const read = proto[name]!;
      proto[name] = function (this: { source: string }, ...args: unknown[]) {
        countRead();
        return read.apply(this, args);
      };
    }
    const commit = store.commit.bind(store);
    (store as { commit: Store['commit'] }).commit = async (commits, audit) => {
      if (!this.#on) return commit(commits, audit);
      const tx: Call[] = [];
      this.#current = tx;
      try {
        return await commit(commits, audit);
      } finally {
        this.#current = undefined;
        if (tx.length > 0) this.transactions.push(tx);
      }
    };
  }

  start(): void {
    this.#on = true;
  }

  /** Reads (`get`/`all`) the commits ran; the replay leaves them out (writes only). */
  get reads(): number {
    return this.#reads;
  }
}

/** Arrays (multi-row inserts) are reused by the store between calls: keep a copy. */
function copyArg(a: unknown): unknown {
  return Array.isArray(a) ? [...a] : a;
}

export interface FloorFigures {
  readonly transactions: number;
  readonly statements: number;
  readonly replayMs: number;
}

/**
 * Replays recorded transactions through plain better-sqlite3 on a fresh database whose schema
 * comes from the store's own migrations (synchronous=FULL, WAL, as the store).
 */
export async function replayRaw(transactions: readonly (readonly Call[])[]): Promise<FloorFigures> {
  return withFloorDb(transactions, (apply) => {
    let statements = 0;
    const t0 = performance.now();
    for (const tx of transactions) {
      apply(tx);
      statements += tx.length;
    }
    const replayMs = performance.now() - t0;
    return { transactions: transactions.length, statements, replayMs };
  });
}

/** As {@link replayRaw}, timing each transaction alone (one after another): their durations. */
export function replayRawEach(transactions: readonly (readonly Call[])[]): Promise<number[]> {
  return withFloorDb(transactions, (apply) =>
    transactions.map((tx) => {
      const t = performance.now();
      apply(tx);
      return performance.now() - t;
    }),
  );
}

/**
 * A fresh store's schema in a temp dir, opened with the store's pragmas through plain
 * better-sqlite3; `body` gets a function applying one recorded transaction, its statements
 * prepared beforehand (outside any clock).
 */
async function withFloorDb<T>(
  transactions: readonly (readonly Call[])[],
  body: (apply: (tx: readonly Call[]) => void) => T,
): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-floor-'));
  try {
    const file = path.join(dir, 'floor.db');
    const store = await openSqliteStore({ path: file, synchronous: 'FULL' });
    await store.close();
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('temp_store = MEMORY');
      db.pragma('cache_size = -16384');
      const prepared = new Map<string, Database.Statement>();
      const stmt = (sql: string): Database.Statement => {
        let s = prepared.get(sql);
        if (!s) prepared.set(sql, (s = db.prepare(sql)));
        return s;
      };
      for (const tx of transactions) for (const c of tx) stmt(c.sql);
      const apply = db.transaction((tx: readonly Call[]) => {
        for (const c of tx) stmt(c.sql).run(...c.args);
      });
      return body((tx) => apply.immediate(tx));
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
