/**
 * The orders `aion demo` places and how it follows them. The types mirror the ones of
 * `examples/order-saga/workflows.ts` (the CLI cannot import the example: it is bundled from
 * source at run time, while this file is compiled to `dist/`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '../../core/index.js';
import type { DemoOrderItem } from './demo-activities.js';

export interface DemoOrder {
  readonly orderId: string;
  readonly items: readonly DemoOrderItem[];
  readonly amountCents: number;
  readonly cardNumber: string;
  readonly address: string;
  readonly approvalTimeout?: string;
  readonly packingTime?: string;
}

export interface DemoOrderStatus {
  readonly orderId: string;
  readonly amountCents: number;
  readonly stage: string;
  readonly approvedBy: string | undefined;
  readonly done: readonly string[];
  readonly compensated: readonly string[];
}

export interface DemoOrderResult {
  readonly orderId: string;
  readonly trackingNumber: string;
  readonly approvedBy: string | undefined;
}

/** How an order ended, for printing. */
export interface DemoOutcome {
  readonly orderId: string;
  /** `COMPLETED`, `FAILED`, `RUNNING` (or another workflow status). */
  readonly status: string;
  readonly summary: string;
}

/** The demo's manager approves orders up to this amount when they ask for approval. */
export const APPROVAL_LIMIT_CENTS = 50_000;
export const APPROVER = 'manager@example.com';

/** Three orders: one approved and shipped, one declined card, one never approved. */
export function demoOrders(firstNumber: number): { order: DemoOrder; note: string }[] {
  const id = (k: number): string => `order-${String(firstNumber + k).padStart(4, '0')}`;
  return [
    {
      order: {
        orderId: id(0),
        items: [{ sku: 'kettle', quantity: 1 }],
        amountCents: 12_000,
        cardNumber: '4242 4242 4242 4242',
        address: '1 Main St',
      },
      note: '$120.00 kettle, card …4242: needs approval, the manager approves it',
    },
    {
      order: {
        orderId: id(1),
        items: [{ sku: 'mug', quantity: 2 }],
        amountCents: 2_400,
        cardNumber: '4000 0000 0000 0000',
        address: '2 Side St',
      },
      note: '$24.00 two mugs, card …0000: the card is declined',
    },
    {
      order: {
        orderId: id(2),
        items: [{ sku: 'sofa', quantity: 1 }],
        amountCents: 90_000,
        cardNumber: '5555 5555 5555 4444',
        address: '3 High St',
        approvalTimeout: '3s',
      },
      note: '$900.00 sofa, card …4444: over the manager’s limit, never approved (3 s timeout)',
    },
  ];
}

/** Turns a workflow's result or failure into one line. */
export async function outcomeOf(handle: WorkflowHandle<DemoOrderResult>): Promise<DemoOutcome> {
  const orderId = handle.workflowId;
  try {
    const r = await handle.result();
    const by = r.approvedBy ? `, approved by ${r.approvedBy}` : '';
    return { orderId, status: 'COMPLETED', summary: `shipped, tracking ${r.trackingNumber}${by}` };
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    const details = (cause as { details?: readonly unknown[] } | undefined)?.details?.[0] as
      { reason?: string; compensated?: readonly string[] } | undefined;
    if (details?.reason !== undefined) {
      const undone = details.compensated?.length ? details.compensated.join(' → ') : 'nothing';
      return { orderId, status: 'FAILED', summary: `${details.reason}; compensated: ${undone}` };
    }
    const message = cause instanceof Error ? cause.message : (err as Error).message;
    return { orderId, status: (err as { status?: string }).status ?? 'FAILED', summary: message };
  }
}

/**
 * Follows an order until it closes: polls the `status` query and, when the order waits for
 * approval and is within the manager's limit, sends the `approve` signal once.
 */
export async function follow(
  handle: WorkflowHandle<DemoOrderResult>,
  onApprove: (orderId: string) => void,
): Promise<DemoOutcome> {
  const outcome = outcomeOf(handle);
  let settled = false;
  void outcome.then(() => (settled = true));
  let approved = false;
  while (!settled) {
    // A query can fail while the run is being rebuilt or just closed: try again next tick.
    const s = await handle.query<DemoOrderStatus>('status').catch(() => undefined);
    if (
      s?.stage === 'awaiting-approval' &&
      s.approvedBy === undefined &&
      s.amountCents <= APPROVAL_LIMIT_CENTS &&
      !approved
    ) {
      approved = true;
      onApprove(handle.workflowId);
      await handle.signal('approve', APPROVER).catch(() => (approved = false));
    }
    await Promise.race([outcome, delay(100)]);
  }
  return outcome;
}
