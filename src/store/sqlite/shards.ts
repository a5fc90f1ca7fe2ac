// The SQLite store's reads and claims that a cluster node would filter by shard: open runs,
// due timers, the outbox, and expiring the leases of named owners. A SQLite store is single-
// node, but it honours the contract: the shard of a row is computed by `aion_shard`, a
// deterministic function registered on the connection (the file has no shard column).
import type Database from 'better-sqlite3';
import type { ClaimedTimer, OutboxRow, RunInfo } from '../contract/index.js';
import { DEFAULT_SHARD_COUNT, shardOf } from '../shared/index.js';
import { rowToRunInfo } from '../sql/index.js';
import { claimedTimerFromRow, outboxFromRow, type OutboxDbRow, type TimerDbRow } from './rows.js';
import type { RunDbRow, Statements } from './statements.js';
import type { Transactions } from './transactions.js';

type Tx<F extends (...args: never[]) => unknown> = Database.Transaction<F>;

const IN_SHARDS = 'aion_shard(namespace, workflow_id) IN (SELECT value FROM json_each(?))';

export class ShardedQueries {
  readonly #s: Statements;
  readonly #tx: Transactions;
  readonly #openRuns: Database.Statement<[string, string, string, number], RunDbRow>;
  readonly #outbox: Database.Statement<[string, string, string, number], OutboxDbRow>;
  readonly #nextTimer: Database.Statement<[string], number | null>;
  readonly #claim: Tx<
    (owner: string, now: number, leaseMs: number, limit: number, shards: string) => ClaimedTimer[]
  >;
  readonly #expire: Tx<(owners: string, now: number) => { tasks: number; timers: number }>;

  constructor(db: Database.Database, s: Statements, tx: Transactions) {
    this.#s = s;
    this.#tx = tx;
    db.function('aion_shard', { deterministic: true }, (namespace: unknown, workflowId: unknown) =>
      shardOf(String(namespace), String(workflowId), DEFAULT_SHARD_COUNT),
    );
    this.#openRuns = db.prepare(
      `SELECT * FROM runs WHERE close_time IS NULL AND (namespace, run_id) > (?, ?) AND ${IN_SHARDS}
         ORDER BY namespace, run_id LIMIT ?`,
    );
    this.#outbox = db.prepare(
      `SELECT * FROM outbox WHERE (namespace, id) > (?, ?) AND ${IN_SHARDS}
         ORDER BY namespace, id LIMIT ?`,
    );
    this.#nextTimer = db.prepare<[string], number | null>(
      `SELECT MIN(MAX(fire_at, COALESCE(claim_until, fire_at))) FROM timers WHERE ${IN_SHARDS}`,
    );
    this.#nextTimer.pluck();
    const due = db.prepare<[number, number, string, number], TimerDbRow>(
      `SELECT rowid AS rid, * FROM timers
        WHERE fire_at <= ? AND (claim_until IS NULL OR claim_until <= ?) AND ${IN_SHARDS}
        ORDER BY fire_at, namespace, run_id, timer_id LIMIT ?`,
    );
    this.#claim = db.transaction((owner, now, leaseMs, limit, shards) => {
      const until = now + leaseMs;
      return due.all(now, now, shards, limit).map((row) => {
        s.claimTimer.run(owner, until, row.rid);
        return claimedTimerFromRow(row, until);
      });
    });
    const expireTasks = db.prepare<[number, string, number]>(
      `UPDATE tasks SET lease_until = ? WHERE lease_owner IN (SELECT value FROM json_each(?)) AND lease_until > ?`,
    );
    const expireTimers = db.prepare<[number, string, number]>(
      `UPDATE timers SET claim_until = ? WHERE claim_owner IN (SELECT value FROM json_each(?)) AND claim_until > ?`,
    );
    this.#expire = db.transaction((owners: string, now: number) => ({
      tasks: expireTasks.run(now, owners, now).changes,
      timers: expireTimers.run(now, owners, now).changes,
    }));
  }

  listOpenRuns(request: {
    readonly after?: { readonly namespace: string; readonly runId: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  }): RunInfo[] {
    const ns = request.after?.namespace ?? '';
    const id = request.after?.runId ?? '';
    const rows =
      request.shards === undefined
        ? this.#s.listOpenRuns.all(ns, id, request.limit)
        : this.#openRuns.all(ns, id, JSON.stringify(request.shards), request.limit);
    return rows.map(rowToRunInfo);
  }

  claimDueTimers(request: {
    readonly owner: string;
    readonly now: number;
    readonly leaseMs: number;
    readonly limit: number;
    readonly shards?: readonly number[];
  }): ClaimedTimer[] {
    const { owner, now, leaseMs, limit, shards } = request;
    return shards === undefined
      ? this.#tx.claimTimers.immediate(owner, now, leaseMs, limit)
      : this.#claim.immediate(owner, now, leaseMs, limit, JSON.stringify(shards));
  }

  nextTimerAt(shards?: readonly number[]): number | undefined {
    const at =
      shards === undefined
        ? this.#s.nextTimerAt.get()
        : this.#nextTimer.get(JSON.stringify(shards));
    return at ?? undefined;
  }

  listOutbox(request: {
    readonly after?: { readonly namespace: string; readonly id: string };
    readonly limit: number;
    readonly shards?: readonly number[];
  }): OutboxRow[] {
    const ns = request.after?.namespace ?? '';
    const id = request.after?.id ?? '';
    const rows =
      request.shards === undefined
        ? this.#s.listOutbox.all(ns, id, request.limit)
        : this.#outbox.all(ns, id, JSON.stringify(request.shards), request.limit);
    return rows.map(outboxFromRow);
  }

  expireLeases(request: {
    readonly exceptOwner: string;
    readonly now: number;
    readonly owners?: readonly string[];
  }): { readonly tasks: number; readonly timers: number } {
    return request.owners === undefined
      ? this.#tx.expireLeases.immediate(request.exceptOwner, request.now)
      : this.#expire.immediate(JSON.stringify(request.owners), request.now);
  }
}
