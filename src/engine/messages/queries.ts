// Queries: answered by the live (or replayed) run without recording anything.
import { AionError, messageName, type DataConverter, type MessageRef } from '../../core/index.js';
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
    const info = await this.#d.resolver.resolveOpen(ref, 'query');
    const outcome = await this.#d.scheduler.query(info, name, payloads);
    if ('stackTrace' in outcome) return outcome.stackTrace;
    if (outcome.ok) return decodeResult(this.#d.converter, outcome.result);
    throw new AionError(
      outcome.code,
      `query ${JSON.stringify(name)} on workflow ${info.workflowId}: ${outcome.failure.message}`,
      { failure: outcome.failure },
    );
  }
}
