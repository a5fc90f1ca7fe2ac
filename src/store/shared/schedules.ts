// Rules every store applies to a schedule write before writing anything of it.
import { AionError } from '../../core/index.js';
import type { ScheduleWrite } from '../contract/index.js';

/**
 * Why a schedule write is refused given the stored row's version (undefined: no row), or
 * undefined when it applies. Input errors (a record for another schedule, a wrong next version)
 * are `invalid_argument`.
 */
export function scheduleWriteRefusal(
  write: ScheduleWrite,
  currentVersion: number | undefined,
): AionError | undefined {
  const { namespace, scheduleId, expectedVersion, record } = write;
  if (
    record !== null &&
    (record.namespace !== namespace ||
      record.scheduleId !== scheduleId ||
      record.version !== expectedVersion + 1)
  ) {
    return new AionError(
      'invalid_argument',
      `schedule write for ${JSON.stringify(scheduleId)}: the record must name the same namespace and schedule and carry version ${expectedVersion + 1}`,
      { namespace, scheduleId },
    );
  }
  if (expectedVersion === 0 && currentVersion !== undefined) {
    return new AionError(
      'already_exists',
      `schedule ${JSON.stringify(scheduleId)} already exists in namespace ${JSON.stringify(namespace)}; pick another id, or update or delete the existing schedule`,
      { namespace, scheduleId },
    );
  }
  if (expectedVersion !== 0 && currentVersion !== expectedVersion) {
    return new AionError(
      'schedule_conflict',
      currentVersion === undefined
        ? `schedule ${JSON.stringify(scheduleId)} was deleted while it was being changed`
        : `schedule ${JSON.stringify(scheduleId)} changed while it was being changed (version ${currentVersion}, expected ${expectedVersion}); read it again and retry`,
      { namespace, scheduleId, expected: expectedVersion, actual: currentVersion ?? null },
    );
  }
  return undefined;
}
