import { createHash } from 'node:crypto';

/**
 * The delay added to one fire: a deterministic function of the schedule id and the nominal
 * time, uniform in [0, jitterMs). The same fire always gets the same delay, so a fire
 * recomputed after a restart (or on another node) lands at the same instant.
 */
export function jitterOffset(scheduleId: string, nominal: Date, jitterMs: number): number {
  if (!(jitterMs > 0)) return 0;
  const digest = createHash('sha256')
    .update(`${scheduleId}\u0000${nominal.toISOString()}`)
    .digest();
  // 48 bits are exact in a double; the fraction is in [0, 1).
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48;
  return Math.floor(fraction * jitterMs);
}
