// The raw-driver floor of a PostgreSQL workload: records the statements every store commit
// runs (SQL and parameters, per commit call, and whether they ran inside BEGIN/COMMIT) while
// the engine works, then replays the writes through a plain `pg.Client` on a fresh copy of the
// schema — same statements, same rows per transaction, same concurrency between commit calls.
// What the replay takes is what the driver and the database alone need for the engine's
// writes; the engine's own time is judged against it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Store } from '../src/store/index.js';
import { openPostgresStore } from '../src/store/postgres/index.js';

interface Call {
  /** The prepared statement's name, when the store named it (the replay prepares it alike). */
  readonly name?: string;
  readonly sql: string;
  readonly args: readonly unknown[];
  failed: boolean;
}

/** One store commit call: its writes, and where it sat among the other commit calls. */
export interface RecordedCommit {
  /** Run inside BEGIN/COMMIT (else one autocommit statement). */
  readonly transactional: boolean;
  readonly writes: readonly Call[];
  /** Commit calls that had finished when this one started (in finishing order). */
  readonly after: number;
  /** This call's place in starting order. */
  readonly start: number;
  /** This call's place in finishing order. */
  readonly rank: number;
}

interface Context {
  readonly calls: Call[];
  transactional: boolean;
  /** Index in `calls` where the current transaction began. */
  begin: number;
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const READ = /^\s*SELECT\b/i;

type QueryConfig = { name?: string; text: string; values?: readonly unknown[] };
type AnyFn = (...args: unknown[]) => unknown;
interface ClientLike {
  query(config: QueryConfig): Promise<unknown>;
  release(destroy?: unknown): void;
  on(event: string, listener: AnyFn): unknown;
  removeListener(event: string, listener: AnyFn): unknown;
}

/** Statements run by `store.commit` calls while recording, one entry per commit call. */
export class PgStatementRecorder {
  readonly commits: RecordedCommit[] = [];
  readonly #als = new AsyncLocalStorage<Context>();
  #reads = 0;
  #refused = 0;
  #inFlight = 0;
  #maxInFlight = 0;
  #started = 0;
  #finished = 0;
  #on = false;

  /**
   * Patches `pg.Pool` (process-wide: `query` for autocommit statements, `connect` for the
   * connection a transaction runs on) and wraps `store.commit`; call before an engine takes
   * the store. A statement is recorded only when it runs inside a commit call (by async
   * context), so the engine's reads, claims and timers outside commits are not. Nothing is
   * kept until {@link start}.
   */
  constructor(store: Store) {
    this.#patchPool();
    const commit = store.commit.bind(store);
    (store as { commit: Store['commit'] }).commit = async (commits) => {
      if (!this.#on) return commit(commits);
      const ctx: Context = { calls: [], transactional: false, begin: 0 };
      const at = { start: this.#started++, after: this.#finished };
      this.#maxInFlight = Math.max(this.#maxInFlight, ++this.#inFlight);
      try {
        return await this.#als.run(ctx, () => commit(commits));
      } finally {
        this.#inFlight--;
        this.#settle(ctx, at);
      }
    };
  }

  #settle(ctx: Context, at: { start: number; after: number }): void {
    const rank = this.#finished++;
    const done = ctx.calls.filter((c) => {
      if (c.failed) this.#refused++;
      return !c.failed;
    });
    const writes = done.filter((c) => !READ.test(c.sql));
    this.#reads += done.length - writes.length;
    this.commits.push({ transactional: ctx.transactional, writes, ...at, rank });
  }

  #patchPool(): void {
    const proto = pg.Pool.prototype as unknown as Record<string, AnyFn>;
    const query = proto.query!;
    const connect = proto.connect!;
    const als = this.#als;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const ctx = als.getStore();
      const result = query.apply(this, args);
      if (ctx !== undefined && typeof args[0] === 'object') {
        track(ctx, args[0] as QueryConfig, result);
      }
      return result;
    };
    proto.connect = function (this: unknown, ...args: unknown[]) {
      const ctx = als.getStore();
      // pg-pool's own `query` connects with a callback: that path is recorded above.
      if (ctx === undefined || args.length > 0) return connect.apply(this, args);
      return (connect.apply(this, args) as Promise<ClientLike>).then((c) => recording(c, ctx));
    };
  }

  start(): void {
    this.#on = true;
  }

  /** SELECTs the commits ran (the replay leaves them out: writes only). */
  get reads(): number {
    return this.#reads;
  }

  /** Statements that failed (a refused single-statement commit, a rolled-back attempt). */
  get refused(): number {
    return this.#refused;
  }

  /** The commit calls in the order they started. */
  get byStart(): RecordedCommit[] {
    return [...this.commits].sort((a, b) => a.start - b.start);
  }

  /** Most store commit calls in flight at once while recording. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }
}

/** Records a statement of a commit call; marks it failed if its promise rejects. */
function track(ctx: Context, config: QueryConfig, result: unknown): void {
  const call: Call = {
    ...(config.name !== undefined ? { name: config.name } : {}),
    sql: config.text,
    args: copyArgs(config.values),
    failed: false,
  };
  ctx.calls.push(call);
  if (result instanceof Promise) {
    result.catch(() => {
      call.failed = true;
    });
  }
}

/** The connection a commit transaction runs on, recording what it runs. */
function recording(client: ClientLike, ctx: Context): ClientLike {
  return {
    query(config) {
      const control = CONTROL.exec(config.text)?.[1]?.toUpperCase();
      if (control === 'BEGIN') {
        ctx.transactional = true;
        ctx.begin = ctx.calls.length;
      } else if (control === 'ROLLBACK') {
        for (const c of ctx.calls.slice(ctx.begin)) c.failed = true;
      }
      const result = client.query(config);
      if (control === undefined) track(ctx, config, result);
      return result;
    },
    release: (destroy) => client.release(destroy),
    on: (event, listener) => client.on(event, listener),
    removeListener: (event, listener) => client.removeListener(event, listener),
  };
}

/** Arrays of parameters (and array parameters) could be reused by the caller: keep copies. */
function copyArgs(values: readonly unknown[] | undefined): unknown[] {
  return (values ?? []).map((v) => (Array.isArray(v) ? [...v] : v));
}

export interface PgFloorFigures {
  readonly transactions: number;
  readonly statements: number;
  readonly connections: number;
  readonly replayMs: number;
}

/**
 * A fresh schema made by the store's own migrations, with the node rows and shard leases of
 * `from` copied in: the commits' fence reads the leases the engine holds, which it took when
 * it started (outside any commit). Call while the engine runs.
 */
export async function createFloorSchema(url: string, from: string): Promise<string> {
  const schema = `bench_floor_${randomBytes(6).toString('hex')}`;
  const store = await openPostgresStore({ connectionString: url, schema });
  await store.close();
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO "${schema}".nodes SELECT * FROM "${from}".nodes`);
    await c.query(
      `UPDATE "${schema}".shard_leases AS f SET owner = r.owner, epoch = r.epoch, lease_until = r.lease_until
         FROM "${from}".shard_leases AS r WHERE f.shard = r.shard`,
    );
  });
  return schema;
}

export function dropSchema(url: string, schema: string): Promise<void> {
  return withClient(url, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

async function withClient(url: string, fn: (c: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Replays recorded commit calls through plain `pg.Client`s on schema `to` (from
 * {@link createFloorSchema}; the statements name `from`): each call as one transaction
 * (BEGIN, its writes, COMMIT), or its statement on its own (autocommit) when the store ran it
 * so. `commits` in the order they started ({@link PgStatementRecorder.byStart}) run on
 * `connections` clients; a call waits for every call that had finished before it started in
 * the recording, so calls overlap no more than the store's did.
 */
export async function replayPgRaw(
  url: string,
  schemas: { readonly from: string; readonly to: string },
  commits: readonly RecordedCommit[],
  connections: number,
): Promise<PgFloorFigures> {
  const clients = Array.from(
    { length: Math.max(1, connections) },
    () => new pg.Client({ connectionString: url }),
  );
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const txs = commits.map((c) => ({
      ...c,
      writes: c.writes.map((w) => replayed(w, schemas)),
    }));
    // Each connection's first statements load the schema's catalog entries: done outside the
    // clock (the store's connections were warmed by S1's warm-up), then rolled back.
    const first = txs.find((t) => t.writes.length > 0);
    for (const c of first ? clients : []) {
      await c.query('BEGIN');
      for (const w of first!.writes) await c.query(w);
      await c.query('ROLLBACK');
    }
    const gate = new FinishGate(commits.length);
    let next = 0;
    let statements = 0;
    const worker = async (client: pg.Client): Promise<void> => {
      while (next < txs.length) {
        const tx = txs[next++]!;
        await gate.wait(tx.after);
        if (tx.transactional) await client.query('BEGIN');
        for (const w of tx.writes) await client.query(w);
        if (tx.transactional) await client.query('COMMIT');
        statements += tx.writes.length;
        gate.finish(tx.rank);
      }
    };
    const t0 = performance.now();
    await Promise.all(clients.map(worker));
    const replayMs = performance.now() - t0;
    const transactions = txs.filter((t) => t.writes.length > 0).length;
    return { transactions, statements, connections: clients.length, replayMs };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** A recorded write as the replay runs it: on schema `to`, prepared under its name if it had one. */
function replayed(
  w: Call,
  schemas: { readonly from: string; readonly to: string },
): pg.QueryConfig<unknown[]> {
  const text = w.sql.replaceAll(schemas.from, schemas.to);
  const values = w.args as unknown[];
  return w.name === undefined ? { text, values } : { name: w.name, text, values };
}

/** Which recorded finishing ranks have finished in the replay; waits on a finished prefix. */
class FinishGate {
  readonly #done: boolean[];
  #prefix = 0;
  #waiters: { readonly need: number; readonly wake: () => void }[] = [];

  constructor(n: number) {
    this.#done = new Array<boolean>(n).fill(false);
  }

  wait(need: number): Promise<void> {
    if (this.#prefix >= need) return Promise.resolve();
    return new Promise((wake) => this.#waiters.push({ need, wake }));
  }

  finish(rank: number): void {
    this.#done[rank] = true;
    while (this.#prefix < this.#done.length && this.#done[this.#prefix]) this.#prefix++;
    const ready = this.#waiters.filter((w) => w.need <= this.#prefix);
    this.#waiters = this.#waiters.filter((w) => w.need > this.#prefix);
    for (const w of ready) w.wake();
  }
}

/**
 * Replays recorded commit calls one at a time through one plain `pg.Client` on schema `to`
 * (see {@link replayPgRaw}), timing each: BEGIN, its writes and COMMIT, or its statement on
 * its own. The duration of each call, in order.
 */
export async function replayPgEach(
  url: string,
  schemas: { readonly from: string; readonly to: string },
  commits: readonly RecordedCommit[],
): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const txs = commits.map((c) => ({
      transactional: c.transactional,
      writes: c.writes.map((w) => replayed(w, schemas)),
    }));
    const times: number[] = [];
    for (const tx of txs) {
      const t0 = performance.now();
      if (tx.transactional) await client.query('BEGIN');
      for (const w of tx.writes) await client.query(w);
      if (tx.transactional) await client.query('COMMIT');
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await client.end().catch(() => {});
  }
}
