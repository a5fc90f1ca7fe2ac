// Where one live activation's events go: stamped in order onto the run's book, with the
// commit's side effects beside them and the engine-wide inputs of command planning.
import {
  checkPayloadSize,
  payloadSize,
  stampEvent,
  withInheritedTrace,
  type Headers,
  type HistoryEvent,
  type Limits,
  type NewEvent,
  type Payload,
  type RunKey,
  type WorkflowCommand,
} from '../../core/index.js';
import type { IdSource } from '../../clock/index.js';
import type { RunBook } from '../../runtime/index.js';
import type { ActivityService } from '../activity-service/index.js';
import type { CommitEffects } from './effects.js';
import type { RunLimits } from './run-limits.js';

/** Engine-wide inputs of command planning (built once, shared by every activation). */
export interface CommandEnv {
  readonly limits: Limits;
  /** Per-run limits a task's commands are checked against. */
  readonly runLimits: RunLimits;
  readonly activities: ActivityService;
  /** Fresh run ids for children and continue-as-new successors. */
  readonly ids: IdSource;
}

/** The command of the given type. */
export type CommandOf<T extends WorkflowCommand['type']> = Extract<WorkflowCommand, { type: T }>;

/** Collects the events (and side-effect rows) of one activation's commands. */
export class EventWriter {
  readonly run: RunKey;
  readonly book: RunBook;
  readonly now: number;
  readonly effects: CommitEffects;
  readonly env: CommandEnv;
  /** The run's workflow type, fixed by its start. */
  readonly workflowType: string;
  /** The events written so far, stamped from the book's head. */
  readonly events: HistoryEvent[] = [];
  readonly #startHeaders: Headers | undefined;

  constructor(env: CommandEnv, run: RunKey, book: RunBook, now: number, effects: CommitEffects) {
    this.env = env;
    this.run = run;
    this.book = book;
    this.now = now;
    this.effects = effects;
    this.workflowType = book.started?.workflowType ?? '';
    this.#startHeaders = book.started?.headers;
  }

  /** Stamps the event after the book's head, applies it and keeps it for the commit. */
  push(event: NewEvent): HistoryEvent {
    const stamped = stampEvent(event, this.book.headSeq + 1, this.now);
    this.book.apply(stamped);
    this.events.push(stamped);
    return stamped;
  }

  /** The caller's trace context flows from the start to what the run starts (unless set). */
  headersOf(own: Headers | undefined): Headers | undefined {
    const start = this.#startHeaders;
    return start === undefined ? own : withInheritedTrace(own, start);
  }

  /** Throws `payload_too_large` when one of the payloads is over the limit. */
  checkPayloads(payloads: readonly Payload[], what: string): void {
    for (const p of payloads) checkPayloadSize(payloadSize(p), this.env.limits, what);
  }
}
