// The torture workload: starts workflows and sends each its signals and updates (spread over a
// few seconds, so a fault lands in the middle of them), then waits for every result. It runs
// against the Client API, in-process (`engine.client`) or over HTTP (the remote `Client`) —
// or through several clients, one per cluster node: a run's messages then go through other
// nodes than the one that started it, and a failed call is retried through the next node.
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
  /** Prefix of the workflow ids, so that several workloads can share one store. Default `wf-`. */
  readonly prefix?: string;
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

export const workflowId = (i: number, prefix = 'wf-'): string => `${prefix}${i}`;

/** The workflow ids of a plan. */
export function workflowIds(plan: WorkloadPlan): string[] {
  return Array.from({ length: plan.workflows }, (_, i) => workflowId(i, plan.prefix));
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
  readonly #clients: readonly ClientApi[];
  readonly #plan: WorkloadPlan;
  readonly #ackFile: string;
  readonly #acked: Set<string>;
  readonly #deadline: number;
  retries = 0;
  readonly errors: Record<string, number> = {};

  constructor(clients: readonly ClientApi[], plan: WorkloadPlan, ackFile: string) {
    this.#clients = clients;
    this.#plan = plan;
    this.#ackFile = ackFile;
    this.#acked = new Set(readLines<AckLine>(ackFile).map((a) => a.id));
    this.#deadline = Date.now() + plan.deadlineMs;
  }

  /**
   * Runs `call` until it succeeds, then records the acknowledgement `ack(result)`. The first
   * attempt goes through client `via`, each retry through the next one.
   */
  async #once<T>(
    id: string,
    via: number,
    call: (client: ClientApi) => Promise<T>,
    ack: (value: T) => Ack,
  ): Promise<void> {
    if (this.#acked.has(id)) return;
    let backoff = 100;
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await call(this.#clients[(via + attempt) % this.#clients.length]!);
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

  /** Messages and results go through another client than the start (when there are several). */
  #other(i: number, j: number): number {
    const n = this.#clients.length;
    return n === 1 ? 0 : i + 1 + (j % (n - 1));
  }

  async drive(i: number): Promise<void> {
    const wf = workflowId(i, this.#plan.prefix);
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
      i,
      (client) =>
        client.workflow.start('tortured', {
          workflowId: wf,
          args: [spec],
          requestId: startId,
        }),
      () => ({ op: 'start', id: startId, workflowId: wf }),
    );
    const handle = (client: ClientApi): WorkflowHandle => client.workflow.getHandle(wf);
    for (const [j, m] of messages(plan, wf).entries()) {
      if (this.#acked.has(m.id)) continue;
      await pause(plan.gapMs);
      if (m.kind === 'signal')
        await this.#once(
          m.id,
          this.#other(i, j),
          (client) => handle(client).signalWithOptions({ requestId: m.id }, 'note', m.value),
          () => ({ op: 'signal', id: m.id, workflowId: wf }),
        );
      else
        await this.#once(
          m.id,
          this.#other(i, j),
          (client) => handle(client).executeUpdate('bump', { args: [m.k], updateId: m.id }),
          (result) => ({ op: 'update', id: m.id, workflowId: wf, result }),
        );
    }
    const resultId = `result:${wf}`;
    await this.#once(
      resultId,
      this.#other(i, 0),
      (client) => handle(client).result(),
      (result) => ({ op: 'result', id: resultId, workflowId: wf, result }),
    );
  }
}

/**
 * Runs (or resumes) the workload; appends `done` (with the retry count and error codes seen)
 * when every workflow returned, `gave-up` when an operation still failed at the deadline.
 * With several clients, run `i` starts through client `i mod n` and takes its messages
 * through the others.
 */
export async function runWorkload(
  client: ClientApi | readonly ClientApi[],
  plan: WorkloadPlan,
  ackFile: string,
): Promise<boolean> {
  const clients = Array.isArray(client) ? (client as readonly ClientApi[]) : [client as ClientApi];
  const driver = new Driver(clients, plan, ackFile);
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
