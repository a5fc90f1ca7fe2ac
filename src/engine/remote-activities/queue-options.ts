// Validation of the engine's `taskQueues` option (per-queue limits for remote dispatch):
// a bad limit is refused when the engine is built, naming the field.
import { AionError } from '../../core/index.js';
import type { TaskQueueOptions } from './types.js';

export function validateQueueOptions(
  queues: Readonly<Record<string, TaskQueueOptions>>,
): Readonly<Record<string, TaskQueueOptions>> {
  for (const [name, o] of Object.entries(queues)) {
    for (const field of ['maxConcurrent', 'maxPerSecond'] as const) {
      const v = o[field];
      if (v === undefined) continue;
      const ok = field === 'maxConcurrent' ? Number.isSafeInteger(v) && v >= 1 : v > 0;
      if (!ok || !Number.isFinite(v)) {
        throw new AionError(
          'invalid_argument',
          `taskQueues.${name}.${field} must be ${field === 'maxConcurrent' ? 'an integer >= 1' : 'a number > 0'} (got ${String(v)})`,
          { field: `taskQueues.${name}.${field}` },
        );
      }
    }
  }
  return queues;
}
