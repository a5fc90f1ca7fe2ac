// Cluster mode: how this node reaches a run another node drives. Arrivals and starts are
// written to the durable inbox of the run's shard and acknowledged once the owner committed
// them (its commit marks the message done in the same transaction); queries and update
// validations go the same way and get the owner's answer. Payloads in messages are encoded
// with the engine's codecs, like everything else it stores.
import { decodePayloads, encodePayloads } from '../../codecs/index.js';
import {
  AionError,
  isAionError,
  type ErrorCode,
  type Payload,
  type PayloadCodec,
  type QueryOutcome,
  type RunKey,
} from '../../core/index.js';
import type { Inbox, InboxOutcome } from '../../store/index.js';
import type { Arrival, PendingStart } from '../run-actor.js';
import type { EngineLogger, RunRouter, ShardKey, UpdateAdmission } from '../scheduler/index.js';
import { retryForever, type StoreRetryEnv } from '../store-retry.js';
import type { Ownership } from './ownership.js';

/** How long a caller waits for the owner to carry a command out before hearing so. */
export const FORWARD_DEADLINE_MS = 60_000;
/** How long a query or update validation waits for the owner's answer. */
export const READ_DEADLINE_MS = 30_000;

export interface RouterDeps {
  readonly inbox: Inbox;
  readonly ownership: Ownership;
  readonly codecs: readonly PayloadCodec[];
  readonly retry: StoreRetryEnv;
  readonly logger: EngineLogger;
  readonly delay: (ms: number, options?: { unref?: boolean }) => Promise<void>;
}

/** The data of an arrival (its ack stays with the sender). */
export type ArrivalData = Omit<Arrival, 'ack' | 'inboxId'>;
/** A forwarded start leaves its audit entries with its sender, which writes them itself. */
export type StartData = Omit<PendingStart, 'ack' | 'onCommitted' | 'inboxId' | 'audit'>;

export interface ArrivalMessage {
  readonly key: RunKey;
  readonly arrival: ArrivalData;
}
export interface StartMessage {
  readonly key: RunKey;
  readonly start: StartData;
  readonly arrivals: readonly ArrivalData[];
}
export interface CallMessage {
  readonly op: string;
  readonly args: readonly unknown[];
}
export interface ReadMessage {
  readonly key: RunKey;
  readonly name: string;
  readonly args: readonly Payload[];
}

export function arrivalData(a: Arrival): ArrivalData {
  const { ack: _ack, inboxId: _id, ...data } = a;
  return data;
}

function startData(s: PendingStart): StartData {
  const { ack: _ack, onCommitted: _hook, inboxId: _id, audit: _audit, ...data } = s;
  return data;
}

/** An outcome's error as the AionError the owner raised. */
export function outcomeError(outcome: Extract<InboxOutcome, { ok: false }>): AionError {
  const { code, message, details } = outcome.error;
  return new AionError(code as ErrorCode, message, { ...(details ?? {}) });
}

/** An error as an inbox outcome (codes survive; anything else is `internal`). */
export function errorOutcome(err: unknown): InboxOutcome {
  if (isAionError(err)) {
    return { ok: false, error: { code: err.code, message: err.message, details: err.details } };
  }
  return { ok: false, error: { code: 'internal', message: String(err) } };
}

export class InboxRouter implements RunRouter {
  readonly #d: RouterDeps;

  constructor(deps: RouterDeps) {
    this.#d = deps;
  }

  owns(key: RunKey): boolean {
    return this.#d.ownership.owns(key);
  }

  shardOf(key: ShardKey): number {
    return this.#d.ownership.shardOf(key);
  }

  activeShards(): readonly number[] {
    return this.#d.ownership.active();
  }

  arrival(key: RunKey, arrival: Arrival): void {
    const body: ArrivalMessage = { key, arrival: arrivalData(arrival) };
    void this.#command(key, 'arrival', body).then(
      () => arrival.ack?.resolve(),
      (err: unknown) => {
        if (arrival.ack) arrival.ack.reject(err);
        else this.#d.logger.warn('could not forward to the run owner', { error: String(err) });
      },
    );
  }

  start(key: RunKey, start: PendingStart, arrivals: readonly Arrival[]): void {
    const body: StartMessage = {
      key,
      start: startData(start),
      arrivals: arrivals.map(arrivalData),
    };
    void this.#command(key, 'start', body).then(
      () => {
        start.onCommitted?.();
        start.ack.resolve();
        for (const a of arrivals) a.ack?.resolve();
      },
      (err: unknown) => {
        start.ack.reject(err);
        for (const a of arrivals) a.ack?.reject(err);
      },
    );
  }

  async query(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    return (await this.#read(key, 'query', { key, name, args })) as QueryOutcome;
  }

  async validateUpdate(
    key: RunKey,
    name: string,
    args: readonly Payload[],
  ): Promise<UpdateAdmission> {
    return (await this.#read(key, 'validate', { key, name, args })) as UpdateAdmission;
  }

  async call(key: ShardKey, op: string, args: readonly unknown[]): Promise<unknown> {
    return this.#command(key, 'call', { op, args });
  }

  async #send(key: ShardKey, kind: string, body: unknown): Promise<string> {
    const { inbox, codecs, retry, ownership } = this.#d;
    const encoded = encodePayloads(body, codecs);
    return retryForever(retry, () => inbox.send(ownership.shardOf(key), kind, encoded));
  }

  /** A command: carried out once; the caller hears after the owner's commit. */
  async #command(key: ShardKey, kind: string, body: unknown): Promise<unknown> {
    const id = await this.#send(key, kind, body);
    const outcome = await this.#within(this.#d.inbox.outcome(id), FORWARD_DEADLINE_MS, () =>
      deadline(
        `the node that owns shard ${this.shardOf(key)} did not carry the request out within ${FORWARD_DEADLINE_MS} ms; it stays queued and is carried out once a node serves that shard (retry with the same requestId to be safe)`,
      ),
    );
    this.#done(id);
    if (!outcome.ok) throw outcomeError(outcome);
    return outcome.value;
  }

  /** A message whose outcome was read is history (the owner's prune is the backstop). */
  #done(id: string): void {
    void this.#d.inbox.forget(id).catch(() => undefined);
  }

  /** A read: answered by the owner, or given up (and withdrawn) at the deadline. */
  async #read(key: RunKey, kind: string, body: ReadMessage): Promise<unknown> {
    const id = await this.#send(key, kind, body);
    const outcome = await this.#within(this.#d.inbox.outcome(id), READ_DEADLINE_MS, () => {
      void this.#d.inbox.forget(id).catch(() => undefined);
      return deadline(
        `the node that owns shard ${this.shardOf(key)} did not answer within ${READ_DEADLINE_MS} ms`,
      );
    });
    this.#done(id);
    if (!outcome.ok) throw outcomeError(outcome);
    return decodePayloads(outcome.value, this.#d.codecs);
  }

  async #within(
    waiting: Promise<InboxOutcome>,
    ms: number,
    expired: () => AionError,
  ): Promise<InboxOutcome> {
    let timedOut = false;
    const timer = this.#d.delay(ms, { unref: true }).then(() => {
      timedOut = true;
    });
    const first = await Promise.race([waiting, timer]);
    if (timedOut && first === undefined) throw expired();
    return first as InboxOutcome;
  }
}

function deadline(message: string): AionError {
  return new AionError('deadline_exceeded', message, { reason: 'owner_unresponsive' });
}
