// Queries: answered by the live (or replayed) run without recording anything.
import { AionError, messageName, type Limits, type MessageRef } from '../../core/index.js';
import { decodeJson, encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import type { RunScheduler } from '../scheduler/index.js';

export interface QueryServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly limits: Limits;
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
    const payloads = encodeArgs(args, this.#d.limits, `arguments of query ${name}`);
    const info = await this.#d.resolver.resolveOpen(ref, 'query');
    const outcome = await this.#d.scheduler.query(info, name, payloads);
    if ('stackTrace' in outcome) return outcome.stackTrace;
    if (outcome.ok) return decodeJson(outcome.result);
    throw new AionError(
      outcome.code,
      `query ${JSON.stringify(name)} on workflow ${info.workflowId}: ${outcome.failure.message}`,
      { failure: outcome.failure },
    );
  }
}
