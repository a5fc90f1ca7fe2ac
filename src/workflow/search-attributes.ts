import type { Payload } from '../core/index.js';
import { encode, getState, pushCommand } from './internal/run-state.js';

/** A value of a search attribute as written in workflow code; `null` removes it. */
export type SearchAttributeValueInput = string | number | boolean | readonly string[] | Date | null;

/**
 * Sets (or with `null` removes) search attributes of this run, so it can be found with list
 * queries (`CustomerId = 'c-1'`). Names must be registered in the namespace; values must fit
 * the registered type (an unregistered name or a mistyped value is a task failure naming it).
 *
 * @example upsertSearchAttributes({ CustomerId: order.customer, Priority: 2 });
 */
export function upsertSearchAttributes(
  attributes: Readonly<Record<string, SearchAttributeValueInput>>,
): void {
  const s = getState();
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes))
    plain[name] = value instanceof Date ? value.toISOString() : value;
  pushCommand(s, { type: 'upsertSearchAttributes', attributes: encode(s, plain) });
}

/** Sets (or with `null` removes) memo entries of this run: any JSON values, shown by describe/list. */
export function upsertMemo(memo: Readonly<Record<string, unknown>>): void {
  const s = getState();
  const encoded: Record<string, Payload | null> = {};
  for (const [key, value] of Object.entries(memo))
    encoded[key] = value === null ? null : encode(s, value);
  pushCommand(s, { type: 'upsertMemo', memo: encoded });
}
