// Listing and counting a namespace's runs: the list query language plus the shorthand
// fields, compiled to one visibility filter.
import {
  AionError,
  type WorkflowCountGroups,
  type WorkflowExecutionInfo,
  type WorkflowListOptions,
} from '../../core/index.js';
import {
  validateGroupBy,
  type ListRequest,
  type Store,
  type VisibilityExpr,
} from '../../store/index.js';
import { parseVisibilityQuery, splitGroupBy } from '../../visibility/index.js';
import type { SearchAttributeSchemas } from '../namespaces/index.js';

export type CountOptions = Omit<WorkflowListOptions, 'pageSize' | 'cursor'>;
export interface ListResult {
  items: WorkflowExecutionInfo[];
  nextCursor: string | undefined;
}

export class RunLister {
  readonly #store: Store;
  readonly #schemas: SearchAttributeSchemas;

  constructor(store: Store, schemas: SearchAttributeSchemas) {
    this.#store = store;
    this.#schemas = schemas;
  }

  async list(ns: string, options: WorkflowListOptions = {}): Promise<ListResult> {
    await this.#schemas.of(ns);
    const { where, orderBy } = this.#parse(ns, options);
    const page = await this.#store.listRuns({
      namespace: ns,
      ...(where ? { where } : {}),
      ...(orderBy ? { orderBy } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
    });
    return {
      items: page.items.map((r) => ({
        workflowId: r.workflowId,
        runId: r.runId,
        workflowType: r.workflowType,
        status: r.status,
        startTime: new Date(r.startTime),
        closeTime: r.closeTime === undefined ? undefined : new Date(r.closeTime),
        taskQueue: r.taskQueue,
        version: r.version,
        searchAttributes: r.searchAttributes,
        stuck: r.stuck !== undefined,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** A trailing `GROUP BY` in the query does not change the total: it is left out here. */
  async count(ns: string, options: CountOptions = {}): Promise<number> {
    await this.#schemas.of(ns);
    const { query } = splitQuery(options.query);
    return await this.#store.countRuns(ns, this.#parse(ns, { ...options, query }).where);
  }

  /** Counts per value of `groupBy` (or the query's trailing `GROUP BY`), one grouped query. */
  async countGroups(
    ns: string,
    options: CountOptions & { readonly groupBy?: string },
  ): Promise<WorkflowCountGroups> {
    await this.#schemas.of(ns);
    const split = splitQuery(options.query);
    if (
      options.groupBy !== undefined &&
      split.groupBy !== undefined &&
      options.groupBy !== split.groupBy
    ) {
      throw new AionError(
        'invalid_argument',
        `groupBy is ${JSON.stringify(options.groupBy)} but the query groups by ${JSON.stringify(split.groupBy)}; give one of them`,
        { field: 'groupBy' },
      );
    }
    const groupBy = options.groupBy ?? split.groupBy;
    validateGroupBy(groupBy);
    const where = this.#parse(ns, { ...options, query: split.query }).where;
    const groups = await this.#store.countRunGroups(ns, groupBy, where);
    return { count: groups.reduce((n, g) => n + g.count, 0), groups };
  }

  /** Filter and order from list options: the query language plus the shorthand fields. */
  #parse(
    ns: string,
    options: CountOptions,
  ): { where?: VisibilityExpr; orderBy?: ListRequest['orderBy'] } {
    const args: VisibilityExpr[] = [];
    let orderBy: ListRequest['orderBy'];
    if (options.query !== undefined && options.query.trim() !== '') {
      const parsed = parseVisibilityQuery(options.query, this.#schemas.cached(ns));
      if (parsed.where) args.push(parsed.where);
      orderBy = parsed.orderBy;
    }
    if (options.workflowType !== undefined)
      args.push({
        op: 'cmp',
        field: { kind: 'builtin', name: 'WorkflowType' },
        cmp: '=',
        value: options.workflowType,
      });
    if (options.status !== undefined)
      args.push({
        op: 'cmp',
        field: { kind: 'builtin', name: 'ExecutionStatus' },
        cmp: '=',
        value: options.status,
      });
    const where =
      args.length === 0
        ? undefined
        : args.length === 1
          ? args[0]
          : ({ op: 'and', args } as VisibilityExpr);
    return { ...(where ? { where } : {}), ...(orderBy ? { orderBy } : {}) };
  }
}

/** The filter text without a trailing `GROUP BY <field>`, and that field. */
function splitQuery(query: string | undefined): { query: string; groupBy?: string } {
  return query === undefined ? { query: '' } : splitGroupBy(query);
}
