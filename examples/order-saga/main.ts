/**
 * Runs three orders through the saga on the embedded SQLite store in
 * `.aion/examples/order-saga`:
 *
 * 1. a large order that a manager approves (signal `approve`) → shipped;
 * 2. an order paid with a card ending 0000 → declined → inventory released;
 * 3. a large order nobody approves within 3 s → card refunded, then inventory released.
 *
 *   node --import tsx examples/order-saga/main.ts
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createEngine, type WorkflowHandle } from 'aion';
import * as activities from './activities.js';
import type { Order, OrderResult, OrderStatus } from './workflows.js';

const engine = await createEngine({
  dataDir: '.aion/examples/order-saga',
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities,
  workflowLogger: (line) => console.log(`  ${line.workflowId.padEnd(22)} ${line.message}`),
});

const batch = Date.now().toString(36);
const orders: { order: Order; approver?: string }[] = [
  {
    order: {
      orderId: `order-${batch}-1`,
      items: [{ sku: 'kettle', quantity: 1 }],
      amountCents: 12_000,
      cardNumber: '4242 4242 4242 4242',
      address: '1 Main St',
    },
    approver: 'manager@example.com',
  },
  {
    order: {
      orderId: `order-${batch}-2`,
      items: [{ sku: 'mug', quantity: 2 }],
      amountCents: 2_400,
      cardNumber: '4000 0000 0000 0000',
      address: '2 Side St',
    },
  },
  {
    order: {
      orderId: `order-${batch}-3`,
      items: [{ sku: 'sofa', quantity: 1 }],
      amountCents: 90_000,
      cardNumber: '5555 5555 5555 4444',
      address: '3 High St',
      approvalTimeout: '3s',
    },
  },
];

/** Follows an order with the `status` query; approves it when it waits for approval. */
async function follow(handle: WorkflowHandle<OrderResult>, approver?: string): Promise<string> {
  const outcome = handle.result().then(
    (r) => `COMPLETED, tracking ${r.trackingNumber}`,
    (err: Error) => `FAILED: ${err.cause instanceof Error ? err.cause.message : err.message}`,
  );
  let settled = false;
  void outcome.then(() => (settled = true));
  while (!settled) {
    const s = await handle.query<OrderStatus>('status').catch(() => undefined);
    if (s?.stage === 'awaiting-approval' && approver && s.approvedBy === undefined) {
      console.log(`  ${handle.workflowId.padEnd(22)} → signal approve (${approver})`);
      await handle.signal('approve', approver);
    }
    await Promise.race([outcome, delay(100)]);
  }
  return outcome;
}

try {
  const results = await Promise.all(
    orders.map(async ({ order, approver }) => {
      const handle = await engine.start<OrderResult>('orderSaga', {
        workflowId: order.orderId,
        args: [order],
      });
      console.log(`started ${order.orderId}`);
      return `${order.orderId}: ${await follow(handle, approver)}`;
    }),
  );
  console.log('\nresults:');
  for (const line of results) console.log(`  ${line}`);
} finally {
  await engine.shutdown();
}
