// The torture workload: starts workflows and sends each its signals and updates (spread over a
// few seconds, so a fault lands in the middle of them), then waits for every result. It runs
// against the Client API, in-process (`engine.client`) or over HTTP (the remote `Client`).
// Every operation carries an idempotency key (start request id, signal request id, update id)
// and is retried until acknowledged; each acknowledgement is appended to the ack file at once.
// The workload resumes from that file: a restarted driver skips what was acknowledged.
import { isAionError, type ClientApi, type WorkflowHandle } from '../src/index.js';
import { appendLine, readLines, type Ack, type AckLine } from './journal.js';
import type { TortureSpec } from './fixtures/workflows.js';

export interface WorkloadPlan {
  /** Workflows started (each with a child when `child`). */
  readonly workflows: number;
  /** Signals sent to each workflow. */
  readonly signals: number;
  /** Updates sent to each workflow. */
  readonly updates: number;
  /** The durable timer each workflow sleeps. */
  readonly sleepMs: number;
  readonly child: boolean;
  /** Starts are spread over this many milliseconds. */
  readonly spreadMs: number;
  /** Pause before each message. */
  readonly gapMs: number;
  /** An operation is retried this long before the workload gives up. */
  readonly deadlineMs: number;
}

export const DEFAULT_PLAN: WorkloadPlan = {
  workflows: 12,
  signals: 3,
  updates: 2,
  sleepMs: 1500,
  child: true,
  spreadMs: 3000,
  gapMs: 400,
  deadlineMs: 180_000,
};

export const workflowId = (i: number): string => `wf-${i}`;

/** The workflow ids of a plan. */
export function workflowIds(plan: WorkloadPlan): string[] {
  return Array.from({ length: plan.workflows }, (_, i) => workflowId(i));
}

type Message =
  | { readonly kind: 'signal'; readonly id: string; readonly value: string }
  | { readonly kind: 'update'; readonly id: string; readonly k: number };

/** One workflow's messages, signals and updates interleaved. */
function messages(plan: WorkloadPlan, wf: string): Message[] {
  const out: Message[] = [];
  for (let j = 0; j < Math.max(plan.signals, plan.updates); j++) {
    if (j < plan.signals)
      out.push({ kind: 'signal', id: `signal:${wf}:${j}`, value: `${wf}:s${j}` });
    if (j < plan.updates) out.push({ kind: 'update', id: `update:${wf}:${j}`, k: j + 1 });
  }
  return out;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Driver {
  readonly #client: ClientApi;
  readonly #plan: WorkloadPlan;
  readonly #ackFile: string;
  readonly #acked: Set<string>;
  readonly #deadline: number;
  retries = 0;
  readonly errors: Record<string, number> = {};

  constructor(client: ClientApi, plan: WorkloadPlan, ackFile: string) {
    this.#client = client;
    this.#plan = plan;
    this.#ackFile = ackFile;
    this.#acked = new Set(readLines<AckLine>(ackFile).map((a) => a.id));
    this.#deadline = Date.now() + plan.deadlineMs;
  }

  /** Runs `call` until it succeeds, then records the acknowledgement `ack(result)`. */
  async #once<T>(id: string, call: () => Promise<T>, ack: (value: T) => Ack): Promise<void> {
    if (this.#acked.has(id)) return;
    let backoff = 100;
    for (;;) {
      try {
        const value = await call();
        appendLine(this.#ackFile, ack(value));
        this.#acked.add(id);
        return;
      } catch (err) {
        this.retries++;
        const code = isAionError(err) ? err.code : (err as Error).name;
        this.errors[code] = (this.errors[code] ?? 0) + 1;
        if (Date.now() > this.#deadline)
          throw new Error(`${id}: still failing at the deadline: ${(err as Error).message}`);
        await pause(backoff);
        backoff = Math.min(1000, backoff * 2);
      }
    }
  }

  async drive(i: number): Promise<void> {
    const wf = workflowId(i);
    const plan = this.#plan;
    const spec: TortureSpec = {
      signals: plan.signals,
      updates: plan.updates,
      sleepMs: plan.sleepMs,
      child: plan.child,
    };
    const startId = `start:${wf}`;
    if (!this.#acked.has(startId)) await pause((i * plan.spreadMs) / plan.workflows);
    await this.#once(
      startId,
      () =>
        this.#client.workflow.start('tortured', {
          workflowId: wf,
          args: [spec],
          requestId: startId,
        }),
      () => ({ op: 'start', id: startId, workflowId: wf }),
    );
    const handle: WorkflowHandle = this.#client.workflow.getHandle(wf);
    for (const m of messages(plan, wf)) {
      if (this.#acked.has(m.id)) continue;
      await pause(plan.gapMs);
      if (m.kind === 'signal')
        await this.#once(
          m.id,
          () => handle.signalWithOptions({ requestId: m.id }, 'note', m.value),
          () => ({ op: 'signal', id: m.id, workflowId: wf }),
        );
      else
        await this.#once(
          m.id,
          () => handle.executeUpdate('bump', { args: [m.k], updateId: m.id }),
          (result) => ({ op: 'update', id: m.id, workflowId: wf, result }),
        );
    }
    const resultId = `result:${wf}`;
    await this.#once(
      resultId,
      () => handle.result(),
      (result) => ({ op: 'result', id: resultId, workflowId: wf, result }),
    );
  }
}

/**
 * Runs (or resumes) the workload; appends `done` (with the retry count and error codes seen)
 * when every workflow returned, `gave-up` when an operation still failed at the deadline.
 */
export async function runWorkload(
  client: ClientApi,
  plan: WorkloadPlan,
  ackFile: string,
): Promise<boolean> {
  const driver = new Driver(client, plan, ackFile);
  appendLine(ackFile, { op: 'ready', id: 'ready' });
  try {
    await Promise.all(workflowIds(plan).map((_, i) => driver.drive(i)));
    appendLine(ackFile, { op: 'done', id: 'done', retries: driver.retries, errors: driver.errors });
    return true;
  } catch (err) {
    appendLine(ackFile, { op: 'gave-up', id: 'gave-up', error: (err as Error).message });
    return false;
  }
}
