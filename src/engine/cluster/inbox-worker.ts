// Cluster mode: the owner's side of the inbox. Messages for the shards this node drives are
// taken (woken by the store's notification, and by a poll as a backstop), carried out through
// the scheduler like local calls, and answered. A command's message is marked done by the
// commit that records it (exactly once); a refusal or a read's answer is written afterwards.
import { decodePayloads } from '../../codecs/index.js';
import { AionError, isShardMoved, type PayloadCodec } from '../../core/index.js';
import type { Inbox, InboxMessage, InboxOutcome } from '../../store/index.js';
import type { PackageRegistry } from '../package-registry.js';
import type { Arrival } from '../run-actor.js';
import type { EngineLogger, RunScheduler } from '../scheduler/index.js';
import { retryForever, type StoreRetryEnv } from '../store-retry.js';
import type { TimerService } from '../timer-service.js';
import type { Ownership } from './ownership.js';
import {
  errorOutcome,
  type ArrivalData,
  type ArrivalMessage,
  type CallMessage,
  type ReadMessage,
  type StartMessage,
} from './router.js';

/** An engine operation carried out for another node; arguments and result are JSON. */
export type RemoteOp = (...args: never[]) => unknown;

/** The poll backstop when notifications are lost (PgBouncer in transaction mode, a reconnect). */
const POLL_MS = 250;
const PAGE = 200;
const PRUNE_EVERY_MS = 60_000;
/** Far longer than a poll takes: a page read before an answer arrives well within it. */
const ANSWERED_MEMORY_MS = 60_000;
const PRUNE_AFTER_MS = 10 * 60_000;

export interface InboxWorkerDeps {
  /**
   * Makes a namespace served here (its search-attribute schemas and routes loaded, its
   * activity tasks claimed) before a message of it is carried out.
   */
  readonly prepareNamespace: (namespace: string) => Promise<void>;
  /** Told how many messages are being carried out here. */
  readonly inFlight?: (count: number) => void;
  readonly inbox: Inbox;
  readonly ownership: Ownership;
  readonly scheduler: RunScheduler;
  readonly registry: PackageRegistry;
  readonly timers: TimerService;
  readonly codecs: readonly PayloadCodec[];
  readonly retry: StoreRetryEnv;
  readonly logger: EngineLogger;
}

export class InboxWorker {
  readonly #d: InboxWorkerDeps;
  /** Messages being carried out here, with their shard. */
  readonly #taken = new Map<string, number>();
  readonly #prepared = new Set<string>();
  /**
   * Messages answered lately, by when: a poll that read one as pending just before its commit
   * marked it done must not take it again (the commit made it done; carrying it out again
   * would apply it twice).
   */
  readonly #answered = new Map<string, number>();
  /** Engine operations other nodes may have this one carry out (see RunRouter.call). */
  #calls: Readonly<Record<string, RemoteOp>> = {};
  #timer: NodeJS.Timeout | undefined;
  #pruner: NodeJS.Timeout | undefined;
  #unlisten: (() => void) | undefined;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(deps: InboxWorkerDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#unlisten = this.#d.inbox.onSent((shard) => {
      if (this.#d.ownership.ownsShard(shard)) this.wake();
    });
    this.#timer = setInterval(() => this.wake(), POLL_MS);
    this.#timer.unref();
    // Answered messages whose senders are gone (killed while waiting) are cleared now and then.
    this.#pruner = setInterval(() => {
      void this.#d.inbox.prune(PRUNE_AFTER_MS).catch(() => undefined);
    }, PRUNE_EVERY_MS);
    this.#pruner.unref();
    this.wake();
  }

  setCalls(calls: Readonly<Record<string, RemoteOp>>): void {
    this.#calls = calls;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#pruner) clearInterval(this.#pruner);
    this.#unlisten?.();
  }

  /** Shards left this node: their messages are for the next owner now. */
  forgetShards(shards: readonly number[]): void {
    const gone = new Set(shards);
    for (const [id, shard] of this.#taken) if (gone.has(shard)) this.#taken.delete(id);
  }

  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#drain()
      .catch((err: unknown) => this.#d.logger.warn('inbox poll failed', { error: String(err) }))
      .finally(() => {
        this.#running = false;
        if (this.#again) {
          this.#again = false;
          this.wake();
        }
      });
  }

  async #drain(): Promise<void> {
    const shards = this.#d.ownership.active();
    if (shards.length === 0) return;
    const page = await this.#d.inbox.pending({ shards, limit: PAGE });
    this.#forgetAnswered();
    for (const m of page) {
      if (this.#taken.has(m.id) || this.#answered.has(m.id)) continue;
      if (!this.#d.ownership.ownsShard(m.shard)) continue;
      this.#taken.set(m.id, m.shard);
      this.#d.inFlight?.(this.#taken.size);
      void this.#carryOut(m).catch((err: unknown) => this.#settle(m, err));
    }
  }

  async #carryOut(m: InboxMessage): Promise<void> {
    const body = decodePayloads(m.body, this.#d.codecs);
    const ns = (body as { key?: { namespace?: unknown } }).key?.namespace;
    if (typeof ns === 'string' && !this.#prepared.has(ns)) {
      await this.#d.prepareNamespace(ns);
      this.#prepared.add(ns);
    }
    switch (m.kind) {
      case 'arrival': {
        const { key, arrival } = body as ArrivalMessage;
        return this.#enqueue(m, key, arrival);
      }
      case 'start':
        return this.#start(m, body as StartMessage);
      case 'query': {
        const { key, name, args } = body as ReadMessage;
        return this.#answer(m, await this.#d.scheduler.query(key, name, args));
      }
      case 'call': {
        const { op, args } = body as CallMessage;
        const fn = this.#calls[op];
        if (fn === undefined) throw new AionError('invalid_argument', `unknown operation ${op}`);
        // JSON has no undefined: an argument left out arrived as null.
        const given = args.map((a) => (a === null ? undefined : a));
        return this.#answer(m, await (fn as (...a: unknown[]) => unknown)(...given));
      }
      case 'validate': {
        const { key, name, args } = body as ReadMessage;
        return this.#answer(m, await this.#d.scheduler.validateUpdate(key, name, args));
      }
      default:
        return this.#finish(m, {
          ok: false,
          error: { code: 'invalid_argument', message: `unknown inbox message kind ${m.kind}` },
        });
    }
  }

  #enqueue(m: InboxMessage, key: ArrivalMessage['key'], arrival: ArrivalData): void {
    // Checked in the same tick as the scheduler's own check: never forwarded back.
    if (!this.#d.ownership.ownsShard(m.shard)) return void this.#taken.delete(m.id);
    this.#d.scheduler.enqueue(key, { ...arrival, inboxId: m.id, ack: this.#ack(m) });
  }

  async #start(m: InboxMessage, body: StartMessage): Promise<void> {
    const { key, start, arrivals } = body;
    // The owner activates the run: its package must be loaded here.
    await this.#d.registry.ensureLoaded(key.namespace, start.started.version);
    if (!this.#d.ownership.ownsShard(m.shard)) return void this.#taken.delete(m.id);
    // The run is in memory already: this message was carried out (its commit marked it done, or
    // is about to). Starting it again would append a second WorkflowStarted.
    if (this.#d.scheduler.existing(key.namespace, key.runId) !== undefined) {
      this.#taken.delete(m.id);
      return;
    }
    const actor = this.#d.scheduler.actor(key);
    const ack = this.#ack(m, () => {
      for (const t of start.timers ?? []) this.#d.timers.add(t);
    });
    actor.pendingStart = { ...start, ack, inboxId: m.id };
    for (const a of arrivals) actor.inbox.push(a);
    this.#d.scheduler.addStart(actor);
  }

  #ack(m: InboxMessage, onCommitted?: () => void): Arrival['ack'] & object {
    return {
      resolve: () => {
        onCommitted?.();
        void this.#finish(m, { ok: true });
      },
      reject: (err: unknown) => this.#settle(m, err),
    };
  }

  async #answer(m: InboxMessage, value: unknown): Promise<void> {
    await this.#finish(m, { ok: true, value });
  }

  /** A failure: a shard that moved leaves the message to its next owner; else it is answered. */
  #settle(m: InboxMessage, err: unknown): void {
    if (isShardMoved(err) || this.#stopped) {
      this.#taken.delete(m.id);
      return;
    }
    void this.#finish(m, errorOutcome(err));
  }

  async #finish(m: InboxMessage, outcome: InboxOutcome): Promise<void> {
    try {
      await retryForever(this.#d.retry, () => this.#d.inbox.finish(m.id, outcome));
      this.#answered.set(m.id, Date.now());
    } catch (err) {
      this.#d.logger.warn('could not answer an inbox message', { id: m.id, error: String(err) });
    } finally {
      this.#taken.delete(m.id);
      this.#d.inFlight?.(this.#taken.size);
    }
  }

  #forgetAnswered(): void {
    const before = Date.now() - ANSWERED_MEMORY_MS;
    for (const [id, at] of this.#answered) {
      if (at >= before) break; // insertion order is answer order
      this.#answered.delete(id);
    }
  }
}
