// The audit trail: every mutating call, allowed or refused, in the store. An allowed call's
// entry is written before its response is sent (so after kill -9 every acknowledged mutation
// is in it); entries of calls in flight together share one store write, and a start's entry
// is written by the run's own start commit. Refused calls (401, 403, 429, refused task
// tokens) are counted per subject and action and written once a second, so a flood of
// refusals costs one row per subject, not one per request.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { AuditEntry as StoredEntry, Store } from '../store/index.js';

export interface AuditEntry {
  readonly subject: string;
  readonly action: string;
  readonly namespace?: string;
  readonly target?: string;
  readonly outcome: 'ok' | 'error' | 'refused';
  readonly code?: string;
}

export interface AuditOptions {
  /** Also append every entry as a JSON line to this file (`-`: standard output). */
  readonly file?: string | undefined;
  /** Entries older than this many days are deleted (hourly); 0 keeps them forever. */
  readonly retentionDays: number;
  /** Distinct refused subjects/actions kept per second; the rest count under subject `*`. */
  readonly maxRefusedKeys?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Writes entries durably (resolving once committed) instead of a store transaction of their
   * own: the server passes the engine's group commit, so concurrent calls' entries share the
   * transaction of the runs they changed. Default: `store.appendAudit`, batched per tick.
   */
  readonly append?: (entries: readonly StoredEntry[]) => Promise<void>;
}

const FLUSH_MS = 1000;
const PRUNE_MS = 3_600_000;
const PRUNE_BATCH = 10_000;
const DAY_MS = 86_400_000;

export class AuditLog {
  readonly #store: Store;
  readonly #options: AuditOptions;
  readonly #out: WriteStream | NodeJS.WritableStream | undefined;
  #batch: { entries: StoredEntry[]; written: Promise<void> } | undefined;
  #refused = new Map<string, StoredEntry>();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(store: Store, options: AuditOptions) {
    this.#store = store;
    this.#options = options;
    const file = options.file;
    if (file === undefined) {
      this.#out = undefined;
    } else if (file === '-') {
      this.#out = process.stdout;
    } else {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.#out = createWriteStream(file, { flags: 'a', mode: 0o600 });
    }
  }

  /** Starts the once-a-second write of refused calls and the hourly retention sweep. */
  start(): void {
    const flush = setInterval(() => void this.flushRefused(), FLUSH_MS);
    flush.unref();
    this.#timers.push(flush);
    if (this.#options.retentionDays > 0) {
      void this.prune();
      const prune = setInterval(() => void this.prune(), PRUNE_MS);
      prune.unref();
      this.#timers.push(prune);
    }
  }

  /** Writes an entry to the store; resolves once it is committed (or rejects). */
  write(entry: AuditEntry): Promise<void> {
    const stored = toStored(entry, Date.now(), 1);
    this.#mirror(stored);
    // The group commit batches entries itself (a tick's wait would only delay them).
    if (this.#options.append) return this.#options.append([stored]);
    if (this.#batch === undefined) {
      const entries: StoredEntry[] = [];
      // Entries written in the same tick share one store write.
      const written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#batch = undefined;
        return this.#store.appendAudit(entries);
      });
      this.#batch = { entries, written };
    }
    this.#batch.entries.push(stored);
    return this.#batch.written;
  }

  /**
   * An entry in its stored form for a write that carries it into the store itself (a start's
   * run commit, see START_AUDIT), stamped now; once that write committed, pass it to
   * {@link carried}.
   */
  stored(entry: AuditEntry): StoredEntry {
    return toStored(entry, Date.now(), 1);
  }

  /** An entry the write it records committed (see {@link stored}): mirrored to the file only. */
  carried(entry: StoredEntry): void {
    this.#mirror(entry);
  }

  /** Counts a refused call; written with the next flush. */
  refused(entry: Omit<AuditEntry, 'outcome' | 'target'>): void {
    const max = this.#options.maxRefusedKeys ?? 1000;
    let key = `${entry.subject}\u0000${entry.action}\u0000${entry.namespace ?? ''}\u0000${entry.code ?? ''}`;
    let e: Omit<AuditEntry, 'outcome' | 'target'> = entry;
    if (!this.#refused.has(key) && this.#refused.size >= max) {
      e = { subject: '*', action: '*', ...(entry.code ? { code: entry.code } : {}) };
      key = `*\u0000${entry.code ?? ''}`;
    }
    const seen = this.#refused.get(key);
    if (seen) {
      this.#refused.set(key, { ...seen, count: seen.count + 1 });
    } else {
      this.#refused.set(key, toStored({ ...e, outcome: 'refused' }, Date.now(), 1));
    }
  }

  /** Writes the refused calls counted since the last flush. */
  async flushRefused(): Promise<void> {
    if (this.#refused.size === 0) return;
    const entries = [...this.#refused.values()];
    this.#refused = new Map();
    for (const e of entries) this.#mirror(e);
    try {
      await (this.#options.append ?? ((es) => this.#store.appendAudit(es)))(entries);
    } catch (err) {
      this.#options.onError?.(err);
    }
  }

  /** Deletes entries past the retention. */
  async prune(): Promise<number> {
    const before = Date.now() - this.#options.retentionDays * DAY_MS;
    let total = 0;
    try {
      for (;;) {
        const n = await this.#store.pruneAudit(before, PRUNE_BATCH);
        total += n;
        if (n < PRUNE_BATCH) return total;
      }
    } catch (err) {
      this.#options.onError?.(err);
      return total;
    }
  }

  #mirror(e: StoredEntry): void {
    if (this.#out === undefined) return;
    const { time, namespace, target, code, count, ...rest } = e;
    this.#out.write(
      `${JSON.stringify({
        time: new Date(time).toISOString(),
        ...rest,
        ...(namespace !== null ? { namespace } : {}),
        ...(target !== null ? { target } : {}),
        ...(code !== null ? { code } : {}),
        ...(count !== 1 ? { count } : {}),
      })}\n`,
    );
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await this.#batch?.written.catch(() => undefined);
    await this.flushRefused();
    const out = this.#out;
    if (out && out !== process.stdout && 'close' in out) {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }
}

function toStored(
  e: Omit<AuditEntry, 'target'> & { target?: string },
  time: number,
  count: number,
): StoredEntry {
  return {
    time,
    subject: e.subject.slice(0, 200),
    action: e.action.slice(0, 100),
    namespace: e.namespace ?? null,
    target: e.target !== undefined ? e.target.slice(0, 1000) : null,
    outcome: e.outcome,
    code: e.code ?? null,
    count,
  };
}
