// Runs one sample's driver against a fresh test environment and says how it went.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import type { Sample, SampleContext } from './types.js';

export interface SampleOutcome {
  readonly pass: boolean;
  /** Why it failed (the stage and the error), or what the driver translated when it passed. */
  readonly reason?: string;
  /** The activity module alone (`activityCheck`), when the driver has such a check. */
  readonly activityCheck?: 'pass' | `fail: ${string}`;
}

const RUN_TIMEOUT_MS = 120_000;
const TEARDOWN_TIMEOUT_MS = 20_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

function describeError(e: unknown): string {
  const err = e as { name?: string; code?: string; message?: string } | undefined;
  const code = err?.code ? `(${err.code})` : '';
  return `${err?.name ?? 'Error'}${code}: ${err?.message ?? String(e)}`.slice(0, 600);
}

/** A sample's context; `attach` hands it the environment once started. */
class Context implements SampleContext {
  readonly dir: string;
  #env: TestWorkflowEnvironment | undefined;

  constructor(copyDir: string, sample: Sample) {
    this.dir = path.join(copyDir, sample.name);
  }

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  async load<T>(rel: string): Promise<T> {
    return (await import(pathToFileURL(this.path(rel)).href)) as T;
  }

  env(): TestWorkflowEnvironment {
    if (!this.#env) throw new Error('the environment is not started yet');
    return this.#env;
  }

  attach(env: TestWorkflowEnvironment): void {
    this.#env = env;
  }
}

async function startEnv(sample: Sample, ctx: Context): Promise<TestWorkflowEnvironment> {
  const activities = sample.activities ? await sample.activities(ctx) : undefined;
  const options = {
    workflowsPath: ctx.path(sample.workflows),
    ...(activities ? { activities } : {}),
    ...(sample.taskQueue ? { taskQueue: sample.taskQueue } : {}),
    ...sample.engine,
  };
  const env = sample.local
    ? await TestWorkflowEnvironment.createLocal(options)
    : await TestWorkflowEnvironment.createTimeSkipping(options);
  ctx.attach(env);
  return env;
}

async function checkActivities(sample: Sample, ctx: SampleContext): Promise<SampleOutcome> {
  if (!sample.activityCheck) return { pass: true };
  try {
    await withTimeout(sample.activityCheck(ctx), 60_000, 'activity check');
    return { pass: true, activityCheck: 'pass' };
  } catch (e) {
    return { pass: true, activityCheck: `fail: ${describeError(e)}` };
  }
}

/** Builds the workflows, starts the environment, drives the sample, tears down. */
export async function runSample(sample: Sample, copyDir: string): Promise<SampleOutcome> {
  const ctx = new Context(copyDir, sample);
  let env: TestWorkflowEnvironment | undefined;
  let stage = 'start';
  let failure: string | undefined;
  try {
    env = await startEnv(sample, ctx);
    stage = 'run';
    await withTimeout(sample.run(env, ctx), RUN_TIMEOUT_MS, 'driver');
  } catch (e) {
    failure = `${stage}: ${describeError(e)}`;
  }
  try {
    await withTimeout(env?.teardown() ?? Promise.resolve(), TEARDOWN_TIMEOUT_MS, 'teardown');
  } catch (e) {
    failure = `${failure ?? ''} [teardown: ${describeError(e)}]`.trim();
  }
  const check = await checkActivities(sample, ctx);
  return {
    pass: failure === undefined,
    ...(failure !== undefined ? { reason: failure } : {}),
    ...(check.activityCheck ? { activityCheck: check.activityCheck } : {}),
  };
}
