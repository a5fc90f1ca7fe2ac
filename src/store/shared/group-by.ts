// Counting runs by the value of one field: which fields can be grouped, and the order every
// store returns the groups in.
import { AionError } from '../../core/index.js';
import type { GroupByField, RunGroupCount, RunInfo } from '../contract/index.js';
import { compareStrings } from './expr.js';

/** The fields runs can be counted by (one value per run, few distinct values). */
export const GROUP_BY_FIELDS: readonly GroupByField[] = ['ExecutionStatus', 'WorkflowType'];

/** Narrows `name` to a groupable field; `invalid_argument` naming `groupBy` otherwise. */
export function validateGroupBy(name: unknown): asserts name is GroupByField {
  if (typeof name === 'string' && (GROUP_BY_FIELDS as readonly string[]).includes(name)) return;
  const fields = GROUP_BY_FIELDS.join(' or ');
  throw new AionError(
    'invalid_argument',
    name === undefined
      ? `groupBy is missing: runs can be counted by ${fields}`
      : `cannot group by ${JSON.stringify(name)}: runs can be counted by ${fields}`,
    { field: 'groupBy' },
  );
}

/** A run's value of a groupable field. */
export function groupValue(info: RunInfo, field: GroupByField): string {
  return field === 'ExecutionStatus' ? info.status : info.workflowType;
}

/** Groups in ascending code-point order of their value (the contract's order). */
export function sortGroups(groups: RunGroupCount[]): RunGroupCount[] {
  return groups.sort((a, b) => compareStrings(a.value, b.value));
}
