/**
 * A reminder that sleeps before it is sent.
 *
 *   node --import tsx examples/long-sleep/main.ts              # 30 days, on skipped time
 *   node --import tsx examples/long-sleep/main.ts --real [10s] # real time, SQLite, resumable
 *
 * Default: the workflow sleeps '30 days' in the time-skipping test environment of
 * `aion/testing` (in-memory store, virtual clock): time jumps to the timer while the engine is
 * idle, so the reminder is sent at once, 30 days of workflow time later.
 *
 * `--real`: the same workflow on a real engine with the embedded SQLite store in
 * `.aion/examples/long-sleep`, sleeping a short real delay. The timer is a row in the store,
 * exactly as it would be for 30 days: interrupt the process (Ctrl-C) while it sleeps and run
 * it again — the second process finds the reminder already started, and it fires at the time
 * first planned (at once if that time has passed).
 */
import { fileURLToPath } from 'node:url';
import { createEngine, isAionError } from 'aion';
import { TestWorkflowEnvironment } from 'aion/testing';
import * as activities from './activities.js';
import type { ReminderResult } from './workflows.js';

const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
const args = ['ada@example.com', 'renew your domain'] as const;

async function skippedTime(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath,
    activities,
    workflowLogger: (line) => console.log(`  [workflow] ${line.message}`),
  });
  try {
    const before = env.currentTimeMs;
    const wall = performance.now();
    const result = (await env.client.workflow.execute('reminder', {
      args: [...args, '30 days'],
    })) as ReminderResult;
    const days = (env.currentTimeMs - before) / 86_400_000;
    console.log(
      `reminder sent at ${result.sentAt}: ${days.toFixed(1)} days of workflow time passed ` +
        `in ${Math.round(performance.now() - wall)} ms of real time`,
    );
  } finally {
    await env.teardown();
  }
}

async function realTime(delay: string): Promise<void> {
  const workflowId = 'long-sleep-reminder';
  const engine = await createEngine({
    dataDir: '.aion/examples/long-sleep',
    workflowsPath,
    activities,
    workflowLogger: (line) => console.log(`  [workflow] ${line.message}`),
  });
  try {
    const handle = engine.getHandle<ReminderResult>(workflowId);
    const existing = await handle.describe().catch((err: unknown) => {
      if (isAionError(err) && err.code === 'not_found') return undefined;
      throw err;
    });
    if (existing?.status === 'RUNNING') {
      const timer = existing.pendingTimers[0];
      console.log(
        `${workflowId} is already sleeping (started ${existing.startTime.toISOString()})` +
          (timer ? `; its timer fires at ${timer.fireAt.toISOString()}` : ''),
      );
    } else {
      // A closed workflow id may be started again: a new run of the same id.
      await engine.start('reminder', { workflowId, args: [...args, delay] });
      console.log(`started ${workflowId}: sleeping ${delay} (Ctrl-C now, then run again)`);
    }
    const result = await engine.getHandle<ReminderResult>(workflowId).result();
    console.log(`reminder sent at ${result.sentAt} after ${result.sleptMs} ms of workflow time`);
  } finally {
    await engine.shutdown();
  }
}

if (process.argv[2] === '--real') await realTime(process.argv[3] ?? '10s');
else await skippedTime();
