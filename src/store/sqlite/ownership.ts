/**
 * The owner row of a SQLite store: the second half of "one engine per file", next to the
 * lock file (lock.ts). The lock file alone is defeated when someone deletes it while an
 * engine runs: the next engine creates a new file, locks that, and both engines would run
 * every open run and activity. So the owning store also keeps one row in the database (table
 * `owner`, migration 4) with who it is and a heartbeat it refreshes every
 * {@link HEARTBEAT_MS}; it deletes the row on a clean close.
 *
 * A store that opens exclusively claims the row in one `BEGIN IMMEDIATE` transaction. It takes
 * the row over when the recorded owner is provably gone, or when its heartbeat is older than
 * {@link STALE_MS}; otherwise it refuses with `store_locked`. "Provably gone", on the same
 * machine (same boot id):
 * - the lock file we now hold is the very file (same device and inode) the recorded owner
 *   held: it has let go of its lock, so it has ended (a process holding a file open keeps
 *   its inode from being reused) — the usual restart after `kill -9`, also from a new
 *   container on the same kernel;
 * - or, in the same PID namespace, no process has the recorded PID any more (or it is this
 *   process's own PID but no store of this process holds the row).
 * A recorded owner on another machine, or one whose PID now belongs to another process, is
 * waited out until its heartbeat is stale.
 *
 * An owner that finds its row taken over (it was frozen longer than {@link STALE_MS} and
 * another engine claimed the file) stops: every later call of its store fails with
 * `store_locked`. Between the takeover and its next heartbeat it may still write.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AionError } from '../../core/index.js';
import { machineIdentity, recordedProcessEnded } from '../shared/index.js';
import type { OwnerLock } from './lock.js';

/** How often the owner refreshes its heartbeat. */
export const HEARTBEAT_MS = 2_000;
/** A heartbeat older than this (several missed beats) marks its owner as gone. */
export const STALE_MS = 15_000;

interface OwnerRow {
  readonly owner_id: string;
  readonly pid: number;
  readonly host: string;
  readonly machine: string;
  readonly pid_namespace: string;
  readonly lock_file: string;
  readonly started_at: number;
  readonly heartbeat_at: number;
}

interface Me {
  readonly ownerId: string;
  readonly machine: string;
  readonly pidNamespace: string;
  readonly lockFile: string;
}

/** Owner ids held by open stores of this process. */
const liveOwners = new Set<string>();

/** Why the recorded owner may be replaced, or undefined when it may still be running. */
function takeoverReason(row: OwnerRow, me: Me, now: number): string | undefined {
  if (liveOwners.has(row.owner_id)) return undefined;
  if (row.machine === me.machine && row.lock_file === me.lockFile) return 'its lock was released';
  if (recordedProcessEnded({ machine: row.machine, pidNamespace: row.pid_namespace, pid: row.pid }))
    return row.pid === process.pid
      ? 'it was an earlier process with this PID'
      : `process ${row.pid} has ended`;
  if (now - row.heartbeat_at >= STALE_MS) return 'its heartbeat is stale';
  return undefined;
}

function refusal(location: string, lock: OwnerLock, row: OwnerRow, now: number): AionError {
  const age = Math.max(0, Math.round((now - row.heartbeat_at) / 1000));
  return new AionError(
    'store_locked',
    `another engine owns ${location}: process ${row.pid} on ${row.host}, heartbeat ${age} s ago (its lock file ${lock.path} was deleted or replaced); only one engine may own a SQLite store — stop the other engine; if it is gone, its claim expires ${STALE_MS / 1000} s after its last heartbeat`,
    {
      path: location,
      lockPath: lock.path,
      ownerPid: row.pid,
      ownerHost: row.host,
      heartbeatAgeMs: now - row.heartbeat_at,
    },
  );
}

const INSERT_OWNER = `INSERT OR REPLACE INTO owner
  (slot, owner_id, pid, host, machine, pid_namespace, lock_file, started_at, heartbeat_at)
  VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The claim of one exclusively opened store on its file; see the module comment. */
export class Ownership {
  readonly #db: Database.Database;
  readonly #location: string;
  readonly #me: Me;
  readonly #startedAt: number;
  readonly #timer: NodeJS.Timeout;
  #lost: AionError | undefined;

  private constructor(db: Database.Database, location: string, me: Me, startedAt: number) {
    this.#db = db;
    this.#location = location;
    this.#me = me;
    this.#startedAt = startedAt;
    liveOwners.add(me.ownerId);
    this.#timer = setInterval(() => this.#beat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  /** Claims the owner row of `db` for this process, or throws `store_locked`. */
  static claim(db: Database.Database, location: string, lock: OwnerLock): Ownership {
    const { machine, pidNamespace } = machineIdentity();
    const me: Me = { ownerId: randomUUID(), machine, pidNamespace, lockFile: lock.fileId };
    const startedAt = db
      .transaction(() => {
        const now = Date.now();
        const row = readOwner(db);
        if (row !== undefined && takeoverReason(row, me, now) === undefined) {
          throw refusal(location, lock, row, now);
        }
        writeOwner(db, me, now, now);
        return now;
      })
      .immediate();
    return new Ownership(db, location, me, startedAt);
  }

  /** The id this store's row carries. */
  get ownerId(): string {
    return this.#me.ownerId;
  }

  /** Set once another engine has taken the file over: the store must not be used any more. */
  get lost(): AionError | undefined {
    return this.#lost;
  }

  #beat(): void {
    try {
      const now = Date.now();
      const changed = this.#db
        .prepare(`UPDATE owner SET heartbeat_at = ? WHERE slot = 1 AND owner_id = ?`)
        .run(now, this.#me.ownerId).changes;
      if (changed === 1) return;
      const taker = this.#db
        .transaction(() => {
          const row = readOwner(this.#db);
          // Deleted by hand: nobody else claimed the file, so the claim is simply renewed.
          if (row === undefined) writeOwner(this.#db, this.#me, this.#startedAt, now);
          return row;
        })
        .immediate();
      if (taker !== undefined && taker.owner_id !== this.#me.ownerId) this.#lose(taker);
    } catch {
      // Busy or an I/O error: the next beat tries again; STALE_MS allows several misses.
    }
  }

  #lose(row: OwnerRow): void {
    this.#lost = new AionError(
      'store_locked',
      `this engine no longer owns ${this.#location}: process ${row.pid} on ${row.host} took it over after this engine's heartbeat went stale; stop this engine`,
      { path: this.#location, ownerPid: row.pid, ownerHost: row.host },
    );
    this.#stop();
  }

  #stop(): void {
    clearInterval(this.#timer);
    liveOwners.delete(this.#me.ownerId);
  }

  /** Stops the heartbeat and deletes the owner row (if it is still ours): a clean close. */
  release(): void {
    this.#stop();
    if (this.#lost || !this.#db.open) return;
    try {
      this.#db.prepare(`DELETE FROM owner WHERE slot = 1 AND owner_id = ?`).run(this.#me.ownerId);
    } catch {
      // The row then goes stale, or the next owner on this machine sees the lock released.
    }
  }
}

function readOwner(db: Database.Database): OwnerRow | undefined {
  return db.prepare(`SELECT * FROM owner WHERE slot = 1`).get() as OwnerRow | undefined;
}

function writeOwner(db: Database.Database, me: Me, startedAt: number, now: number): void {
  db.prepare(INSERT_OWNER).run(
    me.ownerId,
    process.pid,
    os.hostname(),
    me.machine,
    me.pidNamespace,
    me.lockFile,
    startedAt,
    now,
  );
}
