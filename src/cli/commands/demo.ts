import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AionError, isAionError } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { printResult, type CliIo } from '../output.js';
import { createDemoActivities } from './demo-activities.js';
import {
  demoOrders,
  follow,
  outcomeOf,
  type DemoOrderResult,
  type DemoOrderStatus,
  type DemoOutcome,
} from './demo-orders.js';

const WORKFLOW_TYPE = 'orderSaga';
const SHOWN_PREVIOUS = 10;

/** The example's workflow source, relative to the package root (works from `src/` and `dist/`). */
export function demoWorkflowsPath(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return path.join(root, 'examples', 'order-saga', 'workflows.ts');
}

interface DemoOptions {
  readonly dataDir: string;
  readonly latency: string;
}

/**
 * `aion demo`: runs the order saga of `examples/order-saga` on the embedded SQLite store.
 * Each invocation lists the orders earlier invocations stored, finishes any order an
 * interrupted invocation left open (the engine recovers open runs at startup), and places
 * three new orders: one shipped, one declined, one compensated after an approval timeout.
 */
export function registerDemoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'run the order-saga example on the embedded SQLite store; run it again to see stored orders recovered',
    )
    .option('--data-dir <dir>', 'data directory of the SQLite store', '.aion')
    .option('--latency <ms>', 'simulated latency of each activity call', '300')
    .action(async (options: DemoOptions, command: Command) => {
      const json = command.optsWithGlobals<{ json: boolean }>().json;
      await runDemo(io, json, options);
    });
}

async function runDemo(io: CliIo, json: boolean, options: DemoOptions): Promise<void> {
  const latencyMs = Number(options.latency);
  if (!Number.isSafeInteger(latencyMs) || latencyMs < 0)
    throw new AionError('invalid_argument', '--latency must be a whole number of milliseconds', {
      field: 'latency',
    });
  const workflowsPath = demoWorkflowsPath();
  if (!existsSync(workflowsPath)) {
    throw new AionError(
      'not_found',
      `the demo workflows are not here: ${workflowsPath} (the demo runs from a clone of the Aion repository)`,
      { path: workflowsPath },
    );
  }
  const say = (line: string): void => {
    if (!json) io.stdout(`${line}\n`);
  };
  const dbFile = path.join(options.dataDir, 'aion.db');
  const { createEngine } = await import('../../engine/index.js');
  const engine = await createEngine({
    dataDir: options.dataDir,
    workflowsPath,
    activities: createDemoActivities({ latencyMs }),
    workflowLogger: (line) => say(`  ${line.workflowId}  ${line.message}`),
  });
  try {
    say(`Aion demo: the order saga of examples/order-saga on the SQLite store ${dbFile}`);
    const { previous, open, total } = await storedOrders(engine);
    say('');
    if (total === 0) say('The store holds no orders yet.');
    else {
      say(`The store already holds ${total} order(s) from earlier runs:`);
      if (total > previous.length) say(`  … ${total - previous.length} older, then:`);
      for (const o of previous) say(line(o));
    }
    if (open.length > 0) {
      say(`\nResuming ${open.length} order(s) an interrupted run left open:`);
      for (const o of open) say(`  ${o.orderId}  ${o.summary}`);
    }

    const placed = await placeOrders(engine, total + 1);
    say('\nPlacing new orders:');
    for (const p of placed) say(`  ${p.orderId}  ${p.note}`);
    say('(interrupt with Ctrl-C at any point: the next `aion demo` resumes what is open)\n');

    const onApprove = (orderId: string): void =>
      say(`  ${orderId}  → demo sends signal approve (manager@example.com)`);
    const follows = [...open.map((o) => o.orderId), ...placed.map((p) => p.orderId)].map((id) =>
      follow(engine.getHandle<DemoOrderResult>(id), onApprove),
    );
    const results = await Promise.all(follows);
    const resumed = results.slice(0, open.length);
    const orders = results.slice(open.length);
    printResult(io, json, { store: dbFile, previous, resumed, orders }, () =>
      [
        '',
        ...(resumed.length > 0 ? ['Resumed orders:', ...resumed.map(line), ''] : []),
        'New orders:',
        ...orders.map(line),
        '',
        `Run it again: these orders are stored in ${dbFile} and are listed next time.`,
      ].join('\n'),
    );
  } finally {
    await engine.shutdown();
  }
}

function line(o: DemoOutcome): string {
  return `  ${o.orderId}  ${o.status.padEnd(9)}  ${o.summary}`;
}

/** The orders of earlier runs: closed ones with their outcome, open ones with their stage. */
async function storedOrders(
  engine: Engine,
): Promise<{ previous: DemoOutcome[]; open: DemoOutcome[]; total: number }> {
  const total = await engine.count({ workflowType: WORKFLOW_TYPE });
  const page = await engine.list({ workflowType: WORKFLOW_TYPE, pageSize: SHOWN_PREVIOUS });
  const open: DemoOutcome[] = [];
  const openPage = await engine.list({
    workflowType: WORKFLOW_TYPE,
    status: 'RUNNING',
    pageSize: 1000,
  });
  for (const info of [...openPage.items].reverse()) {
    const handle = engine.getHandle<DemoOrderResult>(info.workflowId, info.runId);
    const s = await handle.query<DemoOrderStatus>('status').catch(() => undefined);
    open.push({
      orderId: info.workflowId,
      status: 'RUNNING',
      summary: `interrupted at stage ${s?.stage ?? 'unknown'}`,
    });
  }
  const previous = await Promise.all(
    [...page.items].reverse().map(async (info) => {
      if (info.status === 'RUNNING')
        return { orderId: info.workflowId, status: 'RUNNING', summary: 'open: resuming below' };
      return outcomeOf(engine.getHandle<DemoOrderResult>(info.workflowId, info.runId));
    }),
  );
  return { previous, open, total };
}

/** Starts the three demo orders with ids numbered after the stored ones. */
async function placeOrders(
  engine: Engine,
  firstNumber: number,
): Promise<{ orderId: string; note: string }[]> {
  for (let n = firstNumber; ; n += 3) {
    const orders = demoOrders(n);
    try {
      for (const { order } of orders)
        await engine.start(WORKFLOW_TYPE, { workflowId: order.orderId, args: [order] });
      return orders.map((o) => ({ orderId: o.order.orderId, note: o.note }));
    } catch (err) {
      // Another run numbered its orders the same way meanwhile: take the next numbers.
      if (!(isAionError(err) && err.code === 'workflow_already_started')) throw err;
    }
  }
}
