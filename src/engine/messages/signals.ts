// Signals from callers: validated, encoded and handed to the scheduler, acknowledged once
// the SignalReceived event is committed.
import {
  AionError,
  validateHeaders,
  type Headers,
  type DataConverter,
  type MessageRef,
  messageName,
} from '../../core/index.js';
import { encodeArgs } from '../args.js';
import type { Lifecycle } from '../lifecycle.js';
import type { RunRef, RunResolver } from '../read/index.js';
import type { RunScheduler } from '../scheduler/index.js';
import type { Store } from '../../store/index.js';

export interface SignalServiceDeps {
  readonly lifecycle: Lifecycle;
  readonly converter: DataConverter;
  readonly identity: string;
  readonly resolver: RunResolver;
  readonly scheduler: RunScheduler;
  readonly store: Store;
}

export class SignalService {
  readonly #d: SignalServiceDeps;

  constructor(deps: SignalServiceDeps) {
    this.#d = deps;
  }

  async signal(
    ref: RunRef,
    signal: MessageRef,
    args: unknown[],
    requestId?: string,
    rawHeaders?: Headers,
  ): Promise<void> {
    this.#d.lifecycle.check();
    const headers = validateHeaders(rawHeaders);
    const signalName = messageName(signal);
    if (typeof signalName !== 'string' || signalName.length === 0)
      throw new AionError('invalid_argument', 'signal name must be a non-empty string', {
        field: 'signal',
      });
    const payloads = encodeArgs(this.#d.converter, args, `arguments of signal ${signalName}`);
    const info = await this.#d.resolver.resolve(ref);
    if (info.closeTime !== undefined && requestId !== undefined) {
      // A retried call whose signal was recorded (its acknowledgement lost with its engine)
      // is acknowledged, also once the run closed.
      const history = await this.#d.store.readHistory(info);
      if (history.some((e) => e.type === 'SignalReceived' && e.requestId === requestId)) return;
    }
    this.#d.resolver.checkOpen(info, 'signal');
    await new Promise<void>((resolve, reject) => {
      this.#d.scheduler.enqueue(info, {
        event: {
          type: 'SignalReceived',
          signalName,
          args: payloads,
          identity: this.#d.identity,
          ...(requestId !== undefined ? { requestId } : {}),
          ...(headers ? { headers } : {}),
        },
        ack: { resolve, reject },
      });
    });
  }
}
