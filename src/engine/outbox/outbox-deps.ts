// What the outbox handlers share: the store, the scheduler to record outcomes on runs, the
// run starter, run control, and a way to try a row again later.
import type { Clock } from '../../clock/index.js';
import type { OutboxRow, Store } from '../../store/index.js';
import type { RunControl } from '../control/index.js';
import type { RunResolver } from '../read/index.js';
import type { EngineLogger, RunScheduler } from '../scheduler/index.js';
import type { RunStarter } from '../start/index.js';

export interface OutboxDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: EngineLogger;
  readonly scheduler: RunScheduler;
  readonly starter: RunStarter;
  readonly resolver: RunResolver;
  readonly control: RunControl;
  /**
   * Dispatches the row again later (it stays in the outbox until settled): after `ms`, or —
   * given the error that stopped it — after a backoff that grows while the store is away.
   */
  readonly retryLater: (row: OutboxRow, after: number | { error: unknown }) => void;
}
