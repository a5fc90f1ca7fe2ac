import { describe, expect, it } from 'vitest';
import * as activities from '../../examples/order-saga/activities.js';
import type { Order } from '../../examples/order-saga/workflows.js';
import { checkCrashAtEveryStep } from '../../src/testing/index.js';
import { exampleWorkflows } from './helpers.js';

const workflowsPath = exampleWorkflows('order-saga');

function order(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'o-1',
    items: [{ sku: 'kettle', quantity: 1 }],
    amountCents: 2_000,
    cardNumber: '4242 4242 4242 4242',
    address: '1 Main St',
    packingTime: '1 hour',
    ...overrides,
  };
}

describe('examples/order-saga: crash at every step', () => {
  it('an approved order recovers from every step, activities re-executed', async () => {
    const { steps, history } = await checkCrashAtEveryStep({
      workflowsPath,
      activities,
      workflowLogger: () => undefined,
      workflowType: 'orderSaga',
      args: [order({ amountCents: 50_000, approvalTimeout: '1 day' })],
      script: async (handle, env) => {
        await env.sleep('1 hour');
        await handle.signal('approve', 'ada');
      },
      reexecuteActivities: true,
    });
    expect(history.events.at(-1)).toMatchObject({ type: 'WorkflowCompleted' });
    expect(history.events.some((e) => e.type === 'SignalReceived')).toBe(true);
    expect(steps).toBeGreaterThan(5);
  });

  it('a declined card (compensation, failed run) recovers from every step', async () => {
    const { steps, history } = await checkCrashAtEveryStep({
      workflowsPath,
      activities,
      workflowLogger: () => undefined,
      workflowType: 'orderSaga',
      args: [order({ cardNumber: '4000 0000 0000 0000' })],
    });
    expect(history.events.at(-1)).toMatchObject({ type: 'WorkflowFailed' });
    expect(steps).toBeGreaterThan(3);
  });
});
