import { afterEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  createMemoryStore,
  isAionError,
  type Engine,
  type WorkflowHandle,
} from '../../src/index.js';
import * as exampleActivities from '../../examples/order-saga/activities.js';
import type { Order, OrderResult, OrderStatus } from '../../examples/order-saga/workflows.js';
import { createDemoActivities } from '../../src/cli/commands/demo-activities.js';
import { demoOrders, type DemoOrder } from '../../src/cli/commands/demo-orders.js';
import { exampleWorkflows, recording, rejection, waitForQuery } from './helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  engine = undefined;
});

async function setup() {
  const rec = recording({ ...exampleActivities });
  engine = await createEngine({
    store: createMemoryStore(),
    workflowsPath: exampleWorkflows('order-saga'),
    activities: rec.activities,
    workflowLogger: () => undefined,
  });
  return { engine, calls: rec.calls };
}

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'o-1',
    items: [{ sku: 'kettle', quantity: 1 }],
    amountCents: 2_000,
    cardNumber: '4242 4242 4242 4242',
    address: '1 Main St',
    packingTime: 10,
    ...overrides,
  };
}

async function failureDetails(handle: WorkflowHandle<OrderResult>) {
  const err = await rejection(handle.result());
  expect(isAionError(err) && err.code).toBe('workflow_failed');
  const cause = (err as { cause: { name: string; type: string; details: unknown[] } }).cause;
  expect(cause.name).toBe('ApplicationFailure');
  expect(cause.type).toBe('OrderFailed');
  return cause.details[0] as { reason: string; done: string[]; compensated: string[] };
}

describe('examples/order-saga', () => {
  it('ships a small order without approval: reserve → charge → durable sleep → ship', async () => {
    const { engine, calls } = await setup();
    const handle = await engine.start<OrderResult>('orderSaga', { args: [order()] });
    expect(await handle.result()).toEqual({
      orderId: 'o-1',
      reservationId: 'rsv-o-1',
      chargeId: 'ch-o-1-2000',
      trackingNumber: 'trk-o-1',
      approvedBy: undefined,
    });
    expect(calls).toEqual(['reserveInventory', 'chargeCard', 'shipOrder']);
    const types = (await handle.fetchHistory()).events.map((e) => e.type);
    expect(types).toContain('TimerStarted');
    expect(types).toContain('TimerFired');
  });

  it('waits for the approve signal on a large order, reporting its stage through the status query', async () => {
    const { engine, calls } = await setup();
    const handle = await engine.start<OrderResult>('orderSaga', {
      args: [order({ amountCents: 12_000 })],
    });
    const waiting = await waitForQuery<OrderStatus>(
      handle,
      'status',
      (s) => s.stage === 'awaiting-approval',
    );
    expect(waiting).toMatchObject({ done: ['reserveInventory', 'chargeCard'], compensated: [] });
    await handle.signal('approve', 'manager@example.com');
    const result = await handle.result();
    expect(result.approvedBy).toBe('manager@example.com');
    expect(calls).toEqual(['reserveInventory', 'chargeCard', 'shipOrder']);
  });

  it('compensates a declined card (ending 0000): no retry, inventory released', async () => {
    const { engine, calls } = await setup();
    const handle = await engine.start<OrderResult>('orderSaga', {
      args: [order({ cardNumber: '4000 0000 0000 0000' })],
    });
    const details = await failureDetails(handle);
    expect(details).toEqual({
      reason: 'card ending 0000 was declined',
      done: ['reserveInventory'],
      compensated: ['releaseInventory'],
    });
    // chargeCard ran once: CardDeclined is non-retryable.
    expect(calls).toEqual(['reserveInventory', 'chargeCard', 'releaseInventory']);
    expect((await handle.describe()).status).toBe('FAILED');
  });

  it('compensates in reverse order when approval times out: refund, then release', async () => {
    const { engine, calls } = await setup();
    const handle = await engine.start<OrderResult>('orderSaga', {
      args: [order({ amountCents: 90_000, approvalTimeout: 50 })],
    });
    const details = await failureDetails(handle);
    expect(details).toEqual({
      reason: 'not approved within 50',
      done: ['reserveInventory', 'chargeCard'],
      compensated: ['refundCard', 'releaseInventory'],
    });
    expect(calls).toEqual(['reserveInventory', 'chargeCard', 'refundCard', 'releaseInventory']);
    const types = (await handle.fetchHistory()).events.map((e) => e.type);
    expect(types).toContain('TimerFired'); // the approval timer won the race
  });
});

describe('aion demo activities and orders', () => {
  it('have the same activity names as the example', () => {
    expect(Object.keys(createDemoActivities()).sort()).toEqual(
      Object.keys(exampleActivities).sort(),
    );
  });

  it('run the example workflow: shipped, declined, compensated after the approval timeout', async () => {
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: exampleWorkflows('order-saga'),
      activities: createDemoActivities({ latencyMs: 1 }),
      workflowLogger: () => undefined,
    });
    const orders = demoOrders(1).map(({ order }) => ({
      ...order,
      packingTime: '10ms',
      ...(order.approvalTimeout === undefined ? {} : { approvalTimeout: '50ms' }),
    }));
    // The demo's order type must stay assignable to the example's.
    const typed: Order[] = orders satisfies DemoOrder[];
    const handles = await Promise.all(
      typed.map((o) =>
        engine!.start<OrderResult>('orderSaga', { workflowId: o.orderId, args: [o] }),
      ),
    );
    await waitForQuery<OrderStatus>(handles[0]!, 'status', (s) => s.stage === 'awaiting-approval');
    await handles[0]!.signal('approve', 'manager@example.com');
    expect(await handles[0]!.result()).toMatchObject({ trackingNumber: 'trk-order-0001' });
    expect((await failureDetails(handles[1]!)).compensated).toEqual(['releaseInventory']);
    expect((await failureDetails(handles[2]!)).compensated).toEqual([
      'refundCard',
      'releaseInventory',
    ]);
  });
});
