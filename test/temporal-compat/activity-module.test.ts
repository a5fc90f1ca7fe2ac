// Activity modules written for @temporalio/activity run unchanged on aion/activity (only the
// import specifier differs): see fixtures/activity-module.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment, TestWorkflowEnvironment } from 'aion/testing';
import {
  ApplicationFailure,
  ApplicationFailureCategory,
  CancelledFailure,
  activityInfo,
  heartbeat,
} from 'aion/activity';
import type { Metrics } from '../../src/index.js';
import { errorToFailure, failureToError, JsonPayloadConverter } from '../../src/core/index.js';
import * as activities from './fixtures/activity-module.js';

const workflowsPath = new URL('./fixtures/activity-module-workflows.ts', import.meta.url).pathname;

interface Line {
  readonly level: string;
  readonly message: string;
}

function recorder() {
  const lines: Line[] = [];
  const counts = new Map<string, number>();
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const metrics: Metrics = {
    counter: (name) => ({
      inc: (v = 1, labels?: Record<string, string>) => {
        const key = `${name}${labels?.outcome ? `{${labels.outcome}}` : ''}`;
        counts.set(key, (counts.get(key) ?? 0) + v);
      },
    }),
    gauge: () => ({ set: () => undefined }),
    histogram: () => ({ observe: () => undefined }),
  };
  return { lines, counts, logger, metrics };
}

let env: TestWorkflowEnvironment | undefined;
afterEach(async () => {
  await env?.teardown();
  env = undefined;
});

async function start(rec: ReturnType<typeof recorder>): Promise<TestWorkflowEnvironment> {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath,
    activities,
    logger: rec.logger,
    metrics: rec.metrics,
  });
  return env;
}

const failedLines = (lines: readonly Line[]) =>
  lines.filter((l) => l.message.startsWith('activity attempt failed'));

describe('ApplicationFailureCategory.BENIGN', () => {
  it('a benign attempt failure is retried as usual but logged at debug, not warn', async () => {
    const rec = recorder();
    const e = await start(rec);
    expect(
      await e.client.workflow.execute('polling', { workflowId: 'poll-1', args: ['Ada'] }),
    ).toBe('Hello, Ada!');
    const failed = failedLines(rec.lines);
    expect(failed.map((l) => l.level)).toEqual(['debug', 'debug']);
    expect(failed[0]!.message).toContain('service is down');
  });

  it('a final benign failure is recorded with its category and counted as failed_benign', async () => {
    const rec = recorder();
    const e = await start(rec);
    const handle = await e.client.workflow.start('coupon', { workflowId: 'coupon-1' });
    expect(await handle.result()).toBe('no coupon (BENIGN)');
    const { events } = await handle.fetchHistory();
    const failed = events.find((ev) => ev.type === 'ActivityFailed') as unknown as {
      failure: { category?: string; type: string };
    };
    expect(failed.failure).toMatchObject({ type: 'NoCoupon', category: 'BENIGN' });
    expect(rec.counts.get('aion_activity_outcomes_total{failed_benign}')).toBe(1);
    expect(rec.counts.get('aion_activity_outcomes_total{failed}')).toBeUndefined();
    expect(failedLines(rec.lines).map((l) => l.level)).toEqual(['debug']);
  });

  it('an ordinary failure is logged at warn and counted as failed', async () => {
    const rec = recorder();
    const e = await start(rec);
    await expect(
      e.client.workflow.execute('checkout', { workflowId: 'checkout-1' }),
    ).rejects.toThrow(/card declined/);
    expect(failedLines(rec.lines).map((l) => l.level)).toEqual(['warn']);
    expect(rec.counts.get('aion_activity_outcomes_total{failed}')).toBe(1);
    expect(rec.counts.get('aion_activity_outcomes_total{failed_benign}')).toBeUndefined();
  });

  it('survives the failure record round trip; records without a category stay without one', () => {
    const json = new JsonPayloadConverter();
    const benign = ApplicationFailure.create({
      message: 'expected',
      category: ApplicationFailureCategory.BENIGN,
    });
    const record = errorToFailure(benign, (v) => json.toPayload(v));
    expect(record.category).toBe('BENIGN');
    const back = failureToError(record, (p) => json.fromPayload(p)) as ApplicationFailure;
    expect(back.category).toBe('BENIGN');
    const plain = errorToFailure(ApplicationFailure.create({ message: 'x' }), (v) =>
      json.toPayload(v),
    );
    expect('category' in plain).toBe(false);
    expect(ApplicationFailureCategory).toEqual({ BENIGN: 'BENIGN' });
  });
});

describe('activityInfo() and Context.current() as @temporalio/activity has them', () => {
  it('heartbeatDetails resume the next attempt; startToCloseTimeoutMs; destructured heartbeat/sleep; log.log', async () => {
    const rec = recorder();
    const e = await start(rec);
    const result = await e.client.workflow.execute('resumable', {
      workflowId: 'resume-1',
      args: [4],
    });
    expect(result).toEqual({ from: 2, halfTimeoutMs: 5_000 });
    expect(rec.lines).toContainEqual({ level: 'info', message: 'progress done' });
  });
});

describe('MockActivityEnvironment', () => {
  it('runs an activity function with a working context and emits its heartbeats', async () => {
    const menv = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: 3 });
    const beats: unknown[] = [];
    menv.on('heartbeat', (d: unknown) => beats.push(d));
    const seen = await menv.run(async (to: number) => {
      const { attempt, heartbeatDetails, workflowExecution } = activityInfo();
      for (let i = heartbeatDetails as number; i <= to; i++) heartbeat(i);
      return { attempt, workflowId: workflowExecution.workflowId };
    }, 5);
    expect(seen).toEqual({ attempt: 2, workflowId: 'test' });
    expect(beats).toEqual([3, 4, 5]);
  });

  it('cancel() aborts the context: sleep rejects with a CancelledFailure the activity can catch', async () => {
    const menv = new MockActivityEnvironment();
    const beats: unknown[] = [];
    menv.on('heartbeat', (d: unknown) => beats.push(d));
    const running = menv.run(activities.waitForCancel);
    menv.cancel('test over');
    expect(await running).toBe('cleaned up');
    expect(beats).toEqual(['cleaning up']);
    expect(menv.context.cancellationSignal.reason).toBeInstanceOf(CancelledFailure);
  });

  it('an activity that throws rejects run()', async () => {
    const menv = new MockActivityEnvironment();
    await expect(menv.run(activities.charge)).rejects.toThrow('card declined');
  });
});
