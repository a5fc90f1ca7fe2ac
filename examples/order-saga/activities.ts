/**
 * Activities of the order saga. They simulate a warehouse, a payment provider and a carrier
 * with a little latency; a real system would call those services here. Activities run at
 * least once, so each is idempotent by its id (the same order id gives the same reservation,
 * charge and shipment).
 */
import { ApplicationFailure, Context } from 'aion/activity';
import type { OrderItem } from './workflows.js';

const LATENCY_MS = 100;

export async function reserveInventory(
  orderId: string,
  items: readonly OrderItem[],
): Promise<string> {
  await Context.current().sleep(LATENCY_MS);
  if (items.length === 0)
    throw ApplicationFailure.nonRetryable('an order needs at least one item', 'EmptyOrder');
  return `rsv-${orderId}`;
}

export async function releaseInventory(reservationId: string): Promise<string> {
  await Context.current().sleep(LATENCY_MS);
  return `released ${reservationId}`;
}

export async function chargeCard(
  orderId: string,
  cardNumber: string,
  amountCents: number,
): Promise<string> {
  await Context.current().sleep(LATENCY_MS);
  const last4 = cardNumber.replace(/\D/g, '').slice(-4);
  if (last4 === '0000') {
    // Non-retryable: charging a declined card again will not help.
    throw ApplicationFailure.nonRetryable(`card ending ${last4} was declined`, 'CardDeclined');
  }
  return `ch-${orderId}-${amountCents}`;
}

export async function refundCard(chargeId: string): Promise<string> {
  await Context.current().sleep(LATENCY_MS);
  return `refunded ${chargeId}`;
}

export async function shipOrder(orderId: string, address: string): Promise<string> {
  await Context.current().sleep(LATENCY_MS);
  if (address.trim() === '')
    throw ApplicationFailure.nonRetryable('no shipping address', 'InvalidAddress');
  return `trk-${orderId}`;
}
