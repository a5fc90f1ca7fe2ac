// Queries: answered by the live (or replayed) run without recording anything; a closed run
// answers from a replay of its history on the version it was pinned to.
import {
  AionError,
  isAionError,
  messageName,
  type DataConverter,
  type MessageRef,
  type QueryOutcome,
} from '../../core/index.js';
import type { RunInfo } from '../../store/index.js';
import { decodeResult, encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import type { RunScheduler } from '../scheduler/index.js';

export interface QueryServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly converter: DataConverter;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
}

export class QueryService {
  readonly #d: QueryServiceDeps;

  constructor(deps: QueryServiceDeps) {
    this.#d = deps;
  }

  async query(ref: RunRef, query: MessageRef, args: unknown[]): Promise<unknown> {
    this.#d.lifecycle.check();
    const name = messageName(query);
    const payloads = encodeArgs(this.#d.converter, args, `arguments of query ${name}`);
    const info = await this.#d.resolver.resolve(ref);
    const outcome = await this.#ask(info, name, payloads);
    if ('stackTrace' in outcome) return outcome.stackTrace;
    if (outcome.ok) return decodeResult(this.#d.converter, outcome.result);
    throw new AionError(
      outcome.code,
      `query ${JSON.stringify(name)} on workflow ${info.workflowId}: ${outcome.failure.message}`,
      { failure: outcome.failure },
    );
  }

  async #ask(
    info: RunInfo,
    name: string,
    payloads: Parameters<RunScheduler['query']>[2],
  ): Promise<QueryOutcome | { ok: true; stackTrace: string }> {
    const scheduler = this.#d.scheduler;
    if (info.closeTime !== undefined) return scheduler.queryClosed(info, name, payloads);
    try {
      return await scheduler.query(info, name, payloads);
    } catch (err) {
      // Closed between the lookup and the query: answered from its history instead.
      if (!(isAionError(err) && err.code === 'workflow_closed')) throw err;
      return scheduler.queryClosed(info, name, payloads);
    }
  }
}
