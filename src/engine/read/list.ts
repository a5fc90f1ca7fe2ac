// Listing and counting a namespace's runs: the list query language plus the shorthand
// fields, compiled to one visibility filter.
import type { WorkflowExecutionInfo, WorkflowListOptions } from '../../core/index.js';
import type { ListRequest, Store, VisibilityExpr } from '../../store/index.js';
import { parseVisibilityQuery } from '../../visibility/index.js';
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
      })),
      nextCursor: page.nextCursor,
    };
  }

  async count(ns: string, options: CountOptions = {}): Promise<number> {
    await this.#schemas.of(ns);
    return await this.#store.countRuns(ns, this.#parse(ns, options).where);
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
