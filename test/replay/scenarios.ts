/**
 * The scenarios of the golden-history suite: how `record.ts` drives each workflow of
 * `workflows.ts` to produce its fixture(s). Shared with `golden.test.ts`, which checks that
 * every scenario has been recorded.
 */
import { strict as assert } from 'node:assert';
import { Context } from '../../src/activity/index.js';
import type { WorkflowHandle } from '../../src/index.js';
import type { TestWorkflowEnvironment } from '../../src/testing/index.js';
import type { ReplayActs } from './workflows.js';

export const workflowsPath = new URL('./workflows.ts', import.meta.url).pathname;
export const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;

/** Engine identity recorded in the fixtures (instead of a random one). */
export const RECORDER_IDENTITY = 'golden-recorder';

const PRICES: Readonly<Record<string, number>> = { kettle: 40, mug: 8, tea: 5 };

/** A failure without a stack: a stack would put this machine's paths into the fixture. */
function stackless(message: string): Error {
  const err = new Error(message);
  delete err.stack;
  return err;
}

/** Deterministic stand-ins for the activities: same inputs, same outputs, no clocks. */
export const activities: { [K in keyof ReplayActs]: ReplayActs[K] } = {
  step: async (label) => `done: ${label}`,
  price: async (sku) => PRICES[sku] ?? 0,
  alwaysFails: async (what) => {
    throw stackless(`${what} service unavailable`);
  },
  hang: () => Context.current().cancelled,
  release: async (what) => `released ${what}`,
  double: async (x) => 2 * x,
};

export interface Scenario {
  /** Fixture base name: `<name>.json`, or `<name>-<n>.json` per run of a chain. */
  readonly name: string;
  /** Whether the scenario continues as new (its fixtures are numbered from 1). */
  readonly chain?: boolean;
  /** Drives the workflow to its end, asserting the outcome; returns the first run's handle. */
  run(env: TestWorkflowEnvironment): Promise<WorkflowHandle>;
}

async function executes(
  env: TestWorkflowEnvironment,
  name: string,
  type: string,
  args: unknown[],
  expected: unknown,
): Promise<WorkflowHandle> {
  const handle = await env.client.workflow.start(type, { workflowId: `golden-${name}`, args });
  assert.deepEqual(await handle.result(), expected);
  return handle;
}

export const scenarios: readonly Scenario[] = [
  {
    name: 'sequential-activities',
    run: (env) =>
      executes(
        env,
        'sequential-activities',
        'sequential',
        ['o-1'],
        ['done: reserve o-1', 'done: charge o-1', 'done: ship o-1'],
      ),
  },
  {
    name: 'fan-out',
    run: (env) => executes(env, 'fan-out', 'fanOut', [['kettle', 'mug', 'tea']], 53),
  },
  {
    name: 'activity-failure-caught',
    run: (env) =>
      executes(env, 'activity-failure-caught', 'failureCaught', [], {
        attempt: 3,
        message: 'payment service unavailable / released payment',
      }),
  },
  {
    name: 'long-sleep',
    run: (env) => executes(env, 'long-sleep', 'longSleep', [], 'done: after'),
  },
  {
    name: 'condition-timed-out',
    run: (env) => executes(env, 'condition-timed-out', 'approval', ['1 day'], { approved: false }),
  },
  {
    name: 'condition-signalled',
    async run(env) {
      const handle = await env.client.workflow.start('approval', {
        workflowId: 'golden-condition-signalled',
        args: ['7 days'],
      });
      await env.sleep('2 days');
      await handle.signal('approve', 'ada');
      assert.deepEqual(await handle.result(), { approved: true, by: 'ada' });
      return handle;
    },
  },
  {
    name: 'signals-and-query',
    async run(env) {
      const handle = await env.client.workflow.start('signals', {
        workflowId: 'golden-signals-and-query',
      });
      // Before the handler exists: buffered, delivered when it is set.
      await handle.signal('addItem', 'a');
      await handle.signal('addItem', 'b');
      await env.sleep('2 minutes');
      assert.deepEqual(await handle.query('items'), ['a', 'b']);
      // After: delivered straight to the handler.
      await handle.signal('addItem', 'c');
      await handle.signal('finish');
      assert.deepEqual(await handle.result(), ['a', 'b', 'c']);
      return handle;
    },
  },
  {
    name: 'scope-timeout',
    async run(env) {
      const handle = await env.client.workflow.start('scopeTimeout', {
        workflowId: 'golden-scope-timeout',
      });
      // The hanging attempt keeps time from skipping by itself: move it past the timeout.
      await env.sleep('2 minutes');
      assert.equal(await handle.result(), 'cancelled / done: after cancelled');
      return handle;
    },
  },
  {
    name: 'workflow-cancelled',
    async run(env) {
      const handle = await env.client.workflow.start('cancelledWithCleanup', {
        workflowId: 'golden-workflow-cancelled',
        args: ['o-2'],
      });
      await env.sleep('1 hour');
      await handle.cancel('customer changed their mind');
      await assert.rejects(handle.result(), { code: 'workflow_failed', status: 'CANCELLED' });
      return handle;
    },
  },
  {
    name: 'continue-as-new',
    chain: true,
    run: (env) => executes(env, 'continue-as-new', 'countdown', [1, 3, 0], 6),
  },
  {
    name: 'seeded-branches',
    async run(env) {
      const handle = await env.client.workflow.start('seededBranches', {
        workflowId: 'golden-seeded-branches',
      });
      // Workflow time (virtual, from 2026-01-01T00:00Z), not the wall clock of the recording.
      const result = (await handle.result()) as { morning: boolean };
      assert.equal(result.morning, true);
      return handle;
    },
  },
  {
    name: 'local-activities',
    run: (env) => executes(env, 'local-activities', 'localActivities', [5], 55),
  },
];
