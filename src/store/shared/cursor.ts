import { AionError } from '../../core/index.js';
import type { ListRequest, OrderField, RunInfo } from '../contract/index.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Sort value of a row for keyset pagination. Open runs sort with CloseTime = OPEN_CLOSE_TIME. */
export const OPEN_CLOSE_TIME = Number.MAX_SAFE_INTEGER;

export interface CursorPosition {
  readonly field: OrderField;
  readonly direction: 'ASC' | 'DESC';
  readonly value: string | number;
  readonly runId: string;
}

export function resolvePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AionError(
      'invalid_argument',
      `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`,
      {
        field: 'pageSize',
      },
    );
  }
  return pageSize;
}

export function resolveOrder(request: ListRequest): {
  field: OrderField;
  direction: 'ASC' | 'DESC';
} {
  return request.orderBy ?? { field: 'StartTime', direction: 'DESC' };
}

export function sortValue(info: RunInfo, field: OrderField): string | number {
  switch (field) {
    case 'StartTime':
      return info.startTime;
    case 'CloseTime':
      return info.closeTime ?? OPEN_CLOSE_TIME;
    case 'WorkflowId':
      return info.workflowId;
    case 'WorkflowType':
      return info.workflowType;
  }
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(
    JSON.stringify([position.field, position.direction, position.value, position.runId]),
  ).toString('base64url');
}

/** Decodes a cursor and checks it belongs to the same ordering; a foreign cursor is invalid_argument. */
export function decodeCursor(
  cursor: string,
  order: { field: OrderField; direction: 'ASC' | 'DESC' },
): CursorPosition {
  const bad = (): AionError =>
    new AionError(
      'invalid_argument',
      'invalid list cursor: pass nextCursor from the previous page of the same query',
      {
        field: 'cursor',
      },
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [field, direction, value, runId] = parsed as unknown[];
  if (field !== order.field || direction !== order.direction || typeof runId !== 'string')
    throw bad();
  if (typeof value !== 'string' && typeof value !== 'number') throw bad();
  return { field: order.field, direction: order.direction, value, runId };
}

/** The cursor that continues after `last` in the given order. */
export function cursorAfter(
  last: RunInfo,
  order: { field: OrderField; direction: 'ASC' | 'DESC' },
): string {
  return encodeCursor({
    field: order.field,
    direction: order.direction,
    value: sortValue(last, order.field),
    runId: last.runId,
  });
}
