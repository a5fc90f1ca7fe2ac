import type { Payload, SearchAttributes } from '../core/index.js';
import { encode, getState, pushCommand, type RunState } from './internal/run-state.js';
import type { SearchAttributeValueInput } from './search-attribute-input.js';

export type { SearchAttributeValueInput } from './search-attribute-input.js';

/** A run's search attributes as `workflowInfo().searchAttributes` shows them: every value a list. */
export type SearchAttributesView = Readonly<
  Record<string, readonly string[] | readonly number[] | readonly boolean[] | readonly Date[]>
>;

const current = new WeakMap<RunState, Record<string, unknown[]>>();

function fromTyped(typed: SearchAttributes | undefined): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, sa] of Object.entries(typed ?? {})) {
    if (sa.type === 'KeywordList') out[name] = [...sa.value];
    else if (sa.type === 'Datetime') out[name] = [new Date(sa.value)];
    else out[name] = [sa.value];
  }
  return out;
}

function currentOf(s: RunState): Record<string, unknown[]> {
  let attrs = current.get(s);
  if (attrs === undefined) {
    attrs = fromTyped(s.info.searchAttributes);
    current.set(s, attrs);
  }
  return attrs;
}

/** The run's search attributes: those of the start, with this run's upserts applied. */
export function searchAttributesOf(s: RunState): SearchAttributesView {
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(currentOf(s))) {
    out[name] = values.map((v) => (v instanceof Date ? new Date(v.getTime()) : v));
  }
  return out as SearchAttributesView;
}

const wire = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/**
 * Sets (or with `null` removes) search attributes of this run, so it can be found with list
 * queries (`CustomerId = 'c-1'`). Names must be registered in the namespace; values must fit
 * the registered type (an unregistered name or a mistyped value is a task failure naming it).
 * `workflowInfo().searchAttributes` shows the change at once.
 *
 * @example upsertSearchAttributes({ CustomerId: order.customer, Priority: 2 });
 */
export function upsertSearchAttributes(
  attributes: Readonly<Record<string, SearchAttributeValueInput>>,
): void {
  const s = getState();
  const next = { ...currentOf(s) };
  for (const [name, value] of Object.entries(attributes)) {
    const list = listOf(value);
    if (list.length === 0) delete next[name];
    else next[name] = list;
  }
  pushCommand(s, {
    type: 'upsertSearchAttributes',
    attributes: encode(s, plainSearchAttributes(attributes)),
  });
  current.set(s, next);
}

function listOf(value: SearchAttributeValueInput): unknown[] {
  return value === null ? [] : Array.isArray(value) ? [...(value as readonly unknown[])] : [value];
}

/** Search attributes as the engine reads them: plain values by name, `null` to remove. */
export function plainSearchAttributes(
  attributes: Readonly<Record<string, SearchAttributeValueInput>>,
): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const list = listOf(value);
    // An empty list removes the attribute, as `null` does.
    plain[name] = list.length === 0 ? null : Array.isArray(value) ? list.map(wire) : wire(value);
  }
  return plain;
}

/** Sets (or with `null` removes) memo entries of this run: any JSON values, shown by describe/list. */
export function upsertMemo(memo: Readonly<Record<string, unknown>>): void {
  const s = getState();
  const encoded: Record<string, Payload | null> = {};
  for (const [key, value] of Object.entries(memo))
    encoded[key] = value === null ? null : encode(s, value);
  pushCommand(s, { type: 'upsertMemo', memo: encoded });
}
