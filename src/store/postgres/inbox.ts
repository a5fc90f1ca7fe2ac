// The inbox of a PostgreSQL store (table `inbox`, migration 7): messages for the node that owns
// a shard, and their outcomes. Senders wait for outcomes woken by NOTIFY on the schema's done
// channel, with a polling backstop (one query for every id waited on), so waits end even when
// notifications are lost. See src/store/contract/inbox.ts.
import { invalidArgument } from '../../core/index.js';
import type { Inbox, InboxMessage, InboxOutcome } from '../contract/index.js';
import type { PgDriver } from './driver.js';
import { closedStoreError } from './errors.js';
import type { InboxChannels } from './inbox-channels.js';
import { InboxListener, type ListenClientFactory } from './inbox-listener.js';
import { shardFilter } from './shard-filter.js';

export interface PgInboxOptions {
  /** Opens the LISTEN client; without it the inbox only polls. */
  readonly listen?: ListenClientFactory | undefined;
  /** How often waits poll for outcomes. Default 200 ms. */
  readonly pollMs?: number;
}

const DEFAULT_POLL_MS = 200;
const ID_RE = /^[1-9][0-9]{0,17}$/;

function checkId(id: string): void {
  if (typeof id !== 'string' || !ID_RE.test(id))
    throw invalidArgument(`${JSON.stringify(id)} is no inbox message id`, { field: 'id' });
}

export class PgInbox implements Inbox {
  readonly #db: PgDriver;
  readonly #s: string;
  readonly #channels: InboxChannels;
  readonly #listener: InboxListener | undefined;
  readonly #pollMs: number;
  /** Waits by message id. */
  readonly #waiters = new Map<
    string,
    { resolve(o: InboxOutcome): void; reject(e: Error): void }[]
  >();
  readonly #sent = new Set<(shard: number) => void>();
  #poll: NodeJS.Timeout | undefined;
  #polling = false;
  #pollAgain = false;
  #closed = false;

  constructor(db: PgDriver, s: string, channels: InboxChannels, options: PgInboxOptions = {}) {
    this.#db = db;
    this.#s = s;
    this.#channels = channels;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#listener =
      options.listen === undefined
        ? undefined
        : new InboxListener(options.listen, [channels.sent, channels.done], (channel, payload) =>
            this.#notified(channel, payload),
          );
  }

  /** Whether the LISTEN client is connected (waits are woken without waiting for a poll). */
  get listening(): boolean {
    return this.#listener?.connected ?? false;
  }

  async send(shard: number, kind: string, body: unknown): Promise<string> {
    if (!Number.isSafeInteger(shard) || shard < 0 || shard > 2 ** 31 - 1)
      throw invalidArgument(`shard must be a whole number, 0 or more; got ${shard}`, {
        field: 'shard',
      });
    const rows = await this.#db.query(
      `WITH m AS (
         INSERT INTO ${this.#s}.inbox (shard, kind, body) VALUES ($1, $2, $3::jsonb) RETURNING id, shard)
       SELECT id::text AS id, pg_notify($4::text, shard::text) FROM m`,
      [shard, kind, JSON.stringify(body ?? null), this.#channels.sent],
      'inbox send',
    );
    return String(rows[0]!.id);
  }

  async outcome(id: string): Promise<InboxOutcome> {
    checkId(id);
    if (this.#closed || this.#db.closed) throw closedStoreError();
    this.#listener?.start();
    return new Promise<InboxOutcome>((resolve, reject) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(id, list);
      if (this.#poll === undefined) {
        this.#poll = setInterval(() => this.#pollNow(), this.#pollMs);
      }
    });
  }

  async forget(id: string): Promise<void> {
    checkId(id);
    this.#waiters.delete(id);
    this.#stopPollingWhenIdle();
    await this.#db.query(`DELETE FROM ${this.#s}.inbox WHERE id = $1::int8`, [id], 'inbox forget');
  }

  async pending(request: {
    readonly shards: readonly number[];
    readonly limit: number;
    readonly after?: string;
  }): Promise<InboxMessage[]> {
    if (request.after !== undefined) checkId(request.after);
    const values: unknown[] = [request.after ?? null, Math.max(0, request.limit)];
    const rows = await this.#db.query(
      `SELECT id::text AS id, shard, kind, body, (extract(epoch FROM sent_at) * 1000)::int8 AS sent_at
         FROM ${this.#s}.inbox
        WHERE done_at IS NULL AND ($1::int8 IS NULL OR id > $1::int8)${shardFilter(request.shards, values)}
        ORDER BY id LIMIT $2`,
      values,
      'inbox pending',
    );
    return rows.map((r) => ({
      id: String(r.id),
      shard: Number(r.shard),
      kind: String(r.kind),
      body: r.body,
      sentAt: Number(r.sent_at),
    }));
  }

  async finish(id: string, outcome: InboxOutcome): Promise<void> {
    checkId(id);
    const rows = await this.#db.query(
      `WITH d AS (
         UPDATE ${this.#s}.inbox SET done_at = now(), outcome = $2::jsonb
          WHERE id = $1::int8 AND done_at IS NULL RETURNING id)
       SELECT pg_notify($3::text, id::text) FROM d`,
      [id, JSON.stringify(outcome), this.#channels.done],
      'inbox finish',
    );
    // A wait in this process needs neither the notification nor a poll.
    if (rows.length > 0) this.#settle(id, outcome);
  }

  onSent(listener: (shard: number) => void): () => void {
    const own = (shard: number): void => listener(shard);
    this.#sent.add(own);
    this.#listener?.start();
    return () => {
      this.#sent.delete(own);
    };
  }

  async prune(olderThanMs: number): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0)
      throw invalidArgument(`olderThanMs must be 0 or more; got ${olderThanMs}`, {
        field: 'olderThanMs',
      });
    const { rowCount } = await this.#db.exec(
      `DELETE FROM ${this.#s}.inbox
        WHERE done_at IS NOT NULL AND done_at < now() - $1::float8 * interval '1 millisecond'`,
      [olderThanMs],
      'inbox prune',
    );
    return rowCount;
  }

  /** Stops listening and polling; waits still open fail with the closed-store error. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#poll !== undefined) clearInterval(this.#poll);
    this.#poll = undefined;
    const waits = [...this.#waiters.values()].flat();
    this.#waiters.clear();
    for (const w of waits) w.reject(closedStoreError());
    await this.#listener?.close();
  }

  #notified(channel: string, payload: string): void {
    if (channel === this.#channels.done) {
      if (this.#waiters.has(payload)) this.#pollNow();
      return;
    }
    if (channel !== this.#channels.sent) return;
    const shard = Number(payload);
    if (!Number.isSafeInteger(shard)) return;
    for (const listener of [...this.#sent]) {
      try {
        listener(shard);
      } catch {
        // A listener's failure is its own; the others still hear of the message.
      }
    }
  }

  /** One query for every id waited on; concurrent requests fold into one more round. */
  #pollNow(): void {
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    const ids = [...this.#waiters.keys()];
    if (ids.length === 0 || this.#closed) return;
    this.#polling = true;
    void this.#db
      .query(
        `SELECT id::text AS id, outcome FROM ${this.#s}.inbox
          WHERE id = ANY($1::int8[]) AND done_at IS NOT NULL`,
        [`{${ids.join(',')}}`],
        'inbox outcome',
      )
      .then(
        (rows) => {
          for (const r of rows) this.#settle(String(r.id), r.outcome as InboxOutcome);
        },
        () => {
          // Unreachable database, closed or fenced store: the next round tries again.
        },
      )
      .finally(() => {
        this.#polling = false;
        if (this.#pollAgain) {
          this.#pollAgain = false;
          this.#pollNow();
        }
      });
  }

  #settle(id: string, outcome: InboxOutcome): void {
    const waits = this.#waiters.get(id);
    if (waits === undefined) return;
    this.#waiters.delete(id);
    for (const w of waits) w.resolve(outcome);
    this.#stopPollingWhenIdle();
  }

  #stopPollingWhenIdle(): void {
    if (this.#waiters.size === 0 && this.#poll !== undefined) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }
}
