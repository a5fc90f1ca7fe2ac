// Parsing of the JSON-valued options remote commands share (`--arg`, `--memo`,
// `--search-attributes`), with the invalid_argument errors they raise.
import { AionError } from '../../../core/index.js';

/** Parses `--arg` values: each is JSON, or taken as a plain string when it is not valid JSON. */
export function parseArgs(values: readonly string[] | undefined): unknown[] {
  return (values ?? []).map((v) => {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  });
}

/** Parses an option that must hold a JSON object; `undefined` when the option is absent. */
export function parseJsonOption(
  value: string | undefined,
  flag: string,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AionError(
    'invalid_argument',
    `${flag} must be a JSON object, e.g. '{"CustomerId":"c-1"}'`,
    { field: flag },
  );
}

/** Parses a reset point: a WorkflowTaskCompleted seq or one of the named boundaries. */
export function resetPoint(to: string): number | 'firstWorkflowTask' | 'lastWorkflowTask' {
  return /^\d+$/.test(to) ? Number(to) : (to as 'firstWorkflowTask' | 'lastWorkflowTask');
}
