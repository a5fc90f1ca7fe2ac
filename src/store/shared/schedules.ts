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
  const badInput = inputError(write);
  if (badInput !== undefined) return badInput;
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

const isCount = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;

/** Input a store could not write faithfully: negative counts, fires of another schedule. */
function inputError(write: ScheduleWrite): AionError | undefined {
  const { namespace, scheduleId } = write;
  const bad = (field: string, what: string): AionError =>
    new AionError('invalid_argument', `schedule write for ${JSON.stringify(scheduleId)}: ${what}`, {
      field,
      namespace,
      scheduleId,
    });
  if (!isCount(write.expectedVersion)) {
    return bad('expectedVersion', 'expectedVersion must be a non-negative integer');
  }
  if (write.keepFires !== undefined && !isCount(write.keepFires)) {
    return bad('keepFires', 'keepFires must be a non-negative integer');
  }
  for (const f of write.fires ?? []) {
    if (f.namespace !== namespace || f.scheduleId !== scheduleId) {
      return bad('fires', 'every fire record must name the same namespace and schedule');
    }
  }
  return undefined;
}
