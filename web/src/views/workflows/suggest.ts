// Completions for the query box: attribute names and keywords where a field may stand, values
// of ExecutionStatus and WorkflowType after a comparison.
import { quote } from '../../format.js';
import { STATUS_QUERY_NAMES, WORKFLOW_STATUSES } from '../../types.js';

const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS NULL',
  'IS NOT NULL',
  'CONTAINS',
  'ORDER BY',
  'ASC',
  'DESC',
];

const STATUS_VALUES = WORKFLOW_STATUSES.map((s) => STATUS_QUERY_NAMES[s]);

export interface Suggestion {
  readonly label: string;
  /** What replaces text[from, caret). */
  readonly insert: string;
  readonly from: number;
  readonly kind: 'field' | 'keyword' | 'value';
}

export interface SuggestContext {
  readonly fields: readonly string[];
  readonly workflowTypes: readonly string[];
}

/** Suggestions for the text before the caret. */
export function suggest(text: string, caret: number, ctx: SuggestContext): Suggestion[] {
  const before = text.slice(0, caret);
  const value =
    /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|!=|<>|\bNOT\s+IN\s*\(|\bIN\s*\()(?:\s*'(?:[^']|'')*'\s*,)*\s*('?)([^',()]*)$/i.exec(
      before,
    );
  if (value) {
    const field = value[1] ?? '';
    const partial = (value[3] ?? '').toLowerCase();
    const values =
      field === 'ExecutionStatus'
        ? STATUS_VALUES
        : field === 'WorkflowType'
          ? ctx.workflowTypes
          : [];
    const from = caret - (value[3] ?? '').length - (value[2] ?? '').length;
    return values
      .filter((v) => v.toLowerCase().startsWith(partial))
      .slice(0, 20)
      .map((v) => ({ label: v, insert: quote(v), from, kind: 'value' as const }));
  }
  const word = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(before);
  const partial = word?.[1] ?? '';
  if (partial === '' && before.trim() !== '' && !/(\(|\bAND|\bOR|\bNOT)\s*$/i.test(before))
    return [];
  const p = partial.toLowerCase();
  const from = caret - partial.length;
  const fields = ctx.fields
    .filter((f) => f.toLowerCase().startsWith(p) && f !== partial)
    .map((f) => ({ label: f, insert: f, from, kind: 'field' as const }));
  const keywords =
    partial === ''
      ? []
      : KEYWORDS.filter((k) => k.toLowerCase().startsWith(p) && k.toLowerCase() !== p).map((k) => ({
          label: k,
          insert: k,
          from,
          kind: 'keyword' as const,
        }));
  return [...fields, ...keywords].slice(0, 20);
}
