import { AionError } from '../../core/index.js';

/** The `invalid_argument` error of a schedule spec, naming the field at fault. */
export function invalidSpec(field: string, message: string): AionError {
  return new AionError('invalid_argument', `${field}: ${message}`, { field });
}
