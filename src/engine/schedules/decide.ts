// What a schedule does next, decided from its definition and state alone (no I/O): start a
// buffered fire, apply a trigger or backfill, decide the next due scheduled fire (start, skip,
// buffer, or missed outside the catch-up window), or nothing. One step is one transaction.
import type { ScheduleOverlapPolicy } from '../../core/index.js';
import type { ScheduleFireOutcome } from '../../store/index.js';
import { jitterOffset, nextFireTimes, type CompiledSpec } from '../../schedules/index.js';
import {
  MAX_BUFFERED,
  type BufferedFire,
  type FireKind,
  type StoredDefinition,
  type StoredState,
} from './definition.js';

/** A fire asked for by a caller (trigger, backfill), applied in order before scheduled ones. */
export interface ExtraFire {
  readonly nominalAt: number;
  readonly kind: Exclude<FireKind, 'scheduled'>;
  readonly overlap?: ScheduleOverlapPolicy;
}

export interface Step {
  readonly state: StoredState;
  readonly fire: {
    readonly nominalAt: number;
    readonly kind: FireKind;
    readonly actualAt: number;
    readonly outcome: ScheduleFireOutcome;
    readonly reason?: string;
  };
  /** Start a run for this fire, in the same transaction as the step. */
  readonly start: boolean;
  /** Running actions to cancel or terminate once the step is committed. */
  readonly stop?: 'cancel' | 'terminate';
  /** The step consumed the first extra fire. */
  readonly consumedExtra: boolean;
}

export interface DecideInput {
  readonly scheduleId: string;
  readonly definition: StoredDefinition;
  readonly compiled: CompiledSpec;
  readonly state: StoredState;
  readonly extras: readonly ExtraFire[];
  readonly now: number;
}

/** The next step, or undefined when nothing is due. */
export function nextStep(input: DecideInput): Step | undefined {
  const { state, now } = input;
  const buffered = state.buffer[0];
  if (buffered !== undefined && state.running.length === 0) {
    const rest = { ...state, buffer: state.buffer.slice(1) };
    return started(rest, { ...buffered, actualAt: now }, false);
  }
  const extra = input.extras[0];
  if (extra !== undefined) {
    const nominalAt =
      extra.kind === 'trigger' ? triggerNominal(input, extra.nominalAt) : extra.nominalAt;
    return applyOverlap(input, extra.overlap ?? input.definition.policies.overlap, {
      nominalAt,
      kind: extra.kind,
      actualAt: now,
      consumedExtra: true,
      state: extra.kind === 'trigger' ? { ...state, lastTriggerAt: nominalAt } : state,
    });
  }
  const due = nextDue(input);
  if (due === undefined) return undefined;
  const advanced = { ...state, processedThrough: due.nominalAt };
  const late = now - due.fireAt;
  if (late > input.definition.policies.catchupWindowMs) {
    return {
      state: { ...advanced, counts: { ...state.counts, missed: state.counts.missed + 1 } },
      fire: {
        nominalAt: due.nominalAt,
        kind: 'scheduled',
        actualAt: now,
        outcome: 'missed',
        reason: `${Math.round(late / 1000)} s late, outside the catch-up window of ${Math.round(input.definition.policies.catchupWindowMs / 1000)} s`,
      },
      start: false,
      consumedExtra: false,
    };
  }
  return applyOverlap(input, input.definition.policies.overlap, {
    nominalAt: due.nominalAt,
    kind: 'scheduled',
    actualAt: Math.max(now, due.fireAt),
    consumedExtra: false,
    state: advanced,
  });
}

/**
 * A trigger's nominal time: when it was asked for, made its own — its workflow id and fire
 * record derive from it. Later than the last trigger's (two in the same millisecond, on two
 * nodes), and never a time the spec fires at: a trigger at 12:00:00.000 must not share the
 * workflow id of the scheduled 12:00:00 fire.
 */
function triggerNominal(input: DecideInput, askedAt: number): number {
  let at = Math.max(askedAt, (input.state.lastTriggerAt ?? 0) + 1);
  while (nextFireTimes(input.compiled, new Date(at - 1), 1)[0]?.getTime() === at) at++;
  return at;
}

/** Whether scheduled fires are being taken (not paused, actions left). */
export function isActive(state: StoredState): boolean {
  return !state.paused && state.remainingActions !== 0;
}

/** The next scheduled fire after the decided ones: its nominal time and jittered fire time. */
export function nextScheduled(
  scheduleId: string,
  compiled: CompiledSpec,
  state: StoredState,
): { nominalAt: number; fireAt: number } | undefined {
  if (!isActive(state)) return undefined;
  const next = nextFireTimes(compiled, new Date(state.processedThrough), 1)[0];
  if (next === undefined) return undefined;
  const nominalAt = next.getTime();
  return { nominalAt, fireAt: nominalAt + jitterOffset(scheduleId, next, compiled.jitterMs) };
}

function nextDue(input: DecideInput): { nominalAt: number; fireAt: number } | undefined {
  const next = nextScheduled(input.scheduleId, input.compiled, input.state);
  return next !== undefined && next.fireAt <= input.now ? next : undefined;
}

interface Candidate {
  readonly nominalAt: number;
  readonly kind: FireKind;
  readonly actualAt: number;
  readonly consumedExtra: boolean;
  readonly state: StoredState;
}

function applyOverlap(input: DecideInput, overlap: ScheduleOverlapPolicy, c: Candidate): Step {
  const { state } = c;
  if (state.running.length === 0 || overlap === 'ALLOW_ALL')
    return started(state, c, c.consumedExtra);
  const fire = { nominalAt: c.nominalAt, kind: c.kind, actualAt: c.actualAt };
  const waiting: BufferedFire = { nominalAt: c.nominalAt, kind: c.kind, overlap };
  const done = (s: StoredState, outcome: ScheduleFireOutcome, extra: Partial<Step> = {}): Step => ({
    state: s,
    fire: {
      ...fire,
      outcome,
      ...(outcome === 'skipped' ? { reason: 'an action of this schedule is still running' } : {}),
    },
    start: false,
    consumedExtra: c.consumedExtra,
    ...extra,
  });
  const skipped = (): Step =>
    done({ ...state, counts: { ...state.counts, skipped: state.counts.skipped + 1 } }, 'skipped');
  // Limited actions: no more fires wait than actions are left.
  if (state.remainingActions !== undefined && state.buffer.length >= state.remainingActions)
    return skipped();
  switch (overlap) {
    case 'SKIP':
      return skipped();
    case 'BUFFER_ONE':
      return state.buffer.length === 0
        ? done({ ...state, buffer: [waiting] }, 'buffered')
        : skipped();
    case 'BUFFER_ALL': {
      const buffer = [...state.buffer, waiting];
      const dropped = buffer.length > MAX_BUFFERED ? buffer.length - MAX_BUFFERED : 0;
      return done(
        {
          ...state,
          buffer: buffer.slice(dropped),
          counts: { ...state.counts, dropped: state.counts.dropped + dropped },
        },
        'buffered',
      );
    }
    case 'CANCEL_OTHER':
    case 'TERMINATE_OTHER':
      // The newest fire waits (replacing an older waiting one); the running action is stopped.
      return done({ ...state, buffer: [waiting] }, 'buffered', {
        stop: overlap === 'CANCEL_OTHER' ? 'cancel' : 'terminate',
      });
  }
}

function started(
  state: StoredState,
  fire: { nominalAt: number; kind: FireKind; actualAt: number },
  consumedExtra: boolean,
): Step {
  return {
    state: {
      ...state,
      counts: { ...state.counts, taken: state.counts.taken + 1 },
      ...(state.remainingActions !== undefined
        ? { remainingActions: Math.max(0, state.remainingActions - 1) }
        : {}),
    },
    fire: {
      nominalAt: fire.nominalAt,
      kind: fire.kind,
      actualAt: fire.actualAt,
      outcome: 'started',
    },
    start: true,
    consumedExtra,
  };
}
