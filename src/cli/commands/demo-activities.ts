/**
 * Activities of `aion demo`: the same names and behaviour as
 * `examples/order-saga/activities.ts` (test/examples checks they stay in step), kept here so
 * that the compiled CLI can load them from `dist/`. Workflow code is bundled from the
 * example's source at run time; activity code is ordinary Node code and must be compiled.
 */
import { ApplicationFailure, Context } from '../../activity/index.js';

/** An order line, as in the example's `OrderItem`. */
export interface DemoOrderItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface DemoActivityOptions {
  /** Simulated latency of every call, in ms. Default 300 (slow enough to interrupt). */
  readonly latencyMs?: number;
}

/** Builds the order saga's activities: a simulated warehouse, payment provider and carrier. */
export function createDemoActivities(options: DemoActivityOptions = {}) {
  const latency = options.latencyMs ?? 300;
  const work = (): Promise<void> => Context.current().sleep(latency);
  return {
    async reserveInventory(orderId: string, items: readonly DemoOrderItem[]): Promise<string> {
      await work();
      if (items.length === 0)
        throw ApplicationFailure.nonRetryable('an order needs at least one item', 'EmptyOrder');
      return `rsv-${orderId}`;
    },
    async releaseInventory(reservationId: string): Promise<string> {
      await work();
      return `released ${reservationId}`;
    },
    async chargeCard(orderId: string, cardNumber: string, amountCents: number): Promise<string> {
      await work();
      const last4 = cardNumber.replace(/\D/g, '').slice(-4);
      if (last4 === '0000')
        throw ApplicationFailure.nonRetryable(`card ending ${last4} was declined`, 'CardDeclined');
      return `ch-${orderId}-${amountCents}`;
    },
    async refundCard(chargeId: string): Promise<string> {
      await work();
      return `refunded ${chargeId}`;
    },
    async shipOrder(orderId: string, address: string): Promise<string> {
      await work();
      if (address.trim() === '')
        throw ApplicationFailure.nonRetryable('no shipping address', 'InvalidAddress');
      return `trk-${orderId}`;
    },
  };
}
