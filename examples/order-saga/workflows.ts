import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isAionFailure,
  log,
  proxyActivities,
  setHandler,
  sleep,
  type Duration,
} from 'aion/workflow';
import type * as activities from './activities.js';

export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface Order {
  readonly orderId: string;
  readonly items: readonly OrderItem[];
  readonly amountCents: number;
  /** A card number ending in 0000 is declined (deterministically, for the example). */
  readonly cardNumber: string;
  readonly address: string;
  /** Orders of at least this amount wait for the `approve` signal. Default 10,000 ($100). */
  readonly approvalThresholdCents?: number;
  /** How long to wait for `approve` before giving up and compensating. Default '30s'. */
  readonly approvalTimeout?: Duration;
  /** Durable pause before shipping (the warehouse packs the order). Default '2s'. */
  readonly packingTime?: Duration;
}

export type OrderStage =
  | 'reserving'
  | 'charging'
  | 'awaiting-approval'
  | 'packing'
  | 'shipping'
  | 'completed'
  | 'compensating'
  | 'failed';

export interface OrderStatus {
  readonly orderId: string;
  readonly amountCents: number;
  readonly stage: OrderStage;
  readonly approvedBy: string | undefined;
  /** Steps done, in order. */
  readonly done: readonly string[];
  /** Compensations run, in the order they ran (the reverse of `done`). */
  readonly compensated: readonly string[];
}

export interface OrderResult {
  readonly orderId: string;
  readonly reservationId: string;
  readonly chargeId: string;
  readonly trackingNumber: string;
  readonly approvedBy: string | undefined;
}

/** Approves an order waiting for approval; the argument names the approver. */
export const approve = defineSignal<[approver: string]>('approve');
/** The order's current stage and what has been done or undone so far. */
export const status = defineQuery<OrderStatus>('status');

const steps = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 3 },
});
// Compensations must eventually succeed: retry them for longer.
const undo = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', maximumAttempts: 20 },
});

/** Why a step failed, without the wrapping: "card ending 0000 was declined". */
function reasonOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof Error) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reserve inventory → charge the card → (large orders) wait for approval → pack → ship.
 * When a step fails, the steps already done are compensated in reverse order and the
 * workflow fails with an `OrderFailed` ApplicationFailure.
 */
export async function orderSaga(order: Order): Promise<OrderResult> {
  const { orderId } = order;
  let stage: OrderStage = 'reserving';
  let approvedBy: string | undefined;
  const done: string[] = [];
  const compensated: string[] = [];
  const compensations: { name: string; run: () => Promise<unknown> }[] = [];

  setHandler(approve, (approver) => {
    approvedBy ??= approver;
  });
  setHandler(status, () => ({
    orderId,
    amountCents: order.amountCents,
    stage,
    approvedBy,
    done: [...done],
    compensated: [...compensated],
  }));

  try {
    const reservationId = await steps.reserveInventory(orderId, order.items);
    done.push('reserveInventory');
    compensations.push({
      name: 'releaseInventory',
      run: () => undo.releaseInventory(reservationId),
    });
    log.info(`reserved ${order.items.length} item line(s): ${reservationId}`);

    stage = 'charging';
    const chargeId = await steps.chargeCard(orderId, order.cardNumber, order.amountCents);
    done.push('chargeCard');
    compensations.push({ name: 'refundCard', run: () => undo.refundCard(chargeId) });
    log.info(`charged ${(order.amountCents / 100).toFixed(2)}: ${chargeId}`);

    if (order.amountCents >= (order.approvalThresholdCents ?? 10_000)) {
      stage = 'awaiting-approval';
      const timeout = order.approvalTimeout ?? '30s';
      log.info(`waiting for the approve signal (timeout ${String(timeout)})`);
      // Races the signal against a durable timer: true if approved in time, false otherwise.
      if (!(await condition(() => approvedBy !== undefined, timeout))) {
        throw ApplicationFailure.nonRetryable(
          `not approved within ${String(timeout)}`,
          'ApprovalTimedOut',
        );
      }
      done.push('approved');
      log.info(`approved by ${approvedBy}`);
    }

    stage = 'packing';
    const packingTime = order.packingTime ?? '2s';
    log.info(`packing for ${String(packingTime)} (a durable timer)`);
    await sleep(packingTime);

    stage = 'shipping';
    const trackingNumber = await steps.shipOrder(orderId, order.address);
    done.push('shipOrder');
    stage = 'completed';
    log.info(`shipped: ${trackingNumber}`);
    return { orderId, reservationId, chargeId, trackingNumber, approvedBy };
  } catch (err) {
    // A bug (TypeError…) is not a business outcome: let it crash the workflow task, which the
    // engine retries, instead of compensating a healthy order.
    if (!isAionFailure(err)) throw err;
    const reason = reasonOf(err);
    stage = 'compensating';
    log.warn(`${reason}: compensating ${compensations.length} step(s)`);
    // Compensations run even if the workflow is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      for (const c of [...compensations].reverse()) {
        try {
          await c.run();
          compensated.push(c.name);
          log.info(`compensated: ${c.name}`);
        } catch (undoErr) {
          log.error(`compensation ${c.name} failed: ${reasonOf(undoErr)}`);
        }
      }
    });
    stage = 'failed';
    throw ApplicationFailure.nonRetryable(`order ${orderId} failed: ${reason}`, 'OrderFailed', {
      reason,
      done,
      compensated,
    });
  }
}
