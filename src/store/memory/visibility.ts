// The memory store's visibility: list and count runs by evaluating the filter expression over
// every run's row (the reference semantics), with stable cursor pagination.
import type {
  GroupByField,
  ListPage,
  ListRequest,
  RunGroupCount,
  RunInfo,
  VisibilityExpr,
} from '../contract/index.js';
import {
  cursorAfter,
  decodeCursor,
  resolveOrder,
  resolvePageSize,
  sortValue,
} from '../shared/index.js';
import {
  compareStrings,
  evaluateExpr,
  groupValue,
  sortGroups,
  validateExpr,
  validateGroupBy,
} from '../shared/index.js';
import type { MemoryRuns } from './runs.js';

export class MemoryVisibility {
  readonly #runs: MemoryRuns;

  constructor(runs: MemoryRuns) {
    this.#runs = runs;
  }

  /** Throws on a bad page size, order, filter or cursor. */
  listRuns(request: ListRequest): ListPage {
    const pageSize = resolvePageSize(request.pageSize);
    const order = resolveOrder(request);
    if (request.where) validateExpr(request.where);
    const sign = order.direction === 'ASC' ? 1 : -1;
    const compare = (a: RunInfo, b: RunInfo): number =>
      sign *
      (cmpSort(sortValue(a, order.field), sortValue(b, order.field)) ||
        compareStrings(a.runId, b.runId));
    let rows = this.#matching(request.namespace, request.where).sort(compare);
    if (request.cursor !== undefined) {
      const pos = decodeCursor(request.cursor, order);
      rows = rows.filter(
        (r) =>
          sign *
            (cmpSort(sortValue(r, order.field), pos.value) || compareStrings(r.runId, pos.runId)) >
          0,
      );
    }
    const items = rows.slice(0, pageSize);
    const page: { items: RunInfo[]; nextCursor?: string } = { items };
    if (rows.length > pageSize) page.nextCursor = cursorAfter(items[items.length - 1]!, order);
    return page;
  }

  /** Throws on a bad filter. */
  countRuns(namespace: string, where?: VisibilityExpr): number {
    if (where) validateExpr(where);
    return this.#matching(namespace, where).length;
  }

  /** Throws on a bad field or filter. */
  countRunGroups(
    namespace: string,
    groupBy: GroupByField,
    where: VisibilityExpr | undefined,
  ): RunGroupCount[] {
    validateGroupBy(groupBy);
    if (where) validateExpr(where);
    const counts = new Map<string, number>();
    for (const info of this.#matching(namespace, where)) {
      const value = groupValue(info, groupBy);
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return sortGroups([...counts].map(([value, count]) => ({ value, count })));
  }

  #matching(namespace: string, where: VisibilityExpr | undefined): RunInfo[] {
    const out: RunInfo[] = [];
    for (const info of this.#runs.infos()) {
      if (info.namespace === namespace && (!where || evaluateExpr(where, info))) out.push(info);
    }
    return out;
  }
}

function cmpSort(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  return compareStrings(String(a), String(b));
}
