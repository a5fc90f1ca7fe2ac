// Unit tests of the search-attribute registration rules every store enforces: reserved and
// malformed names, type changes, duplicates within a call and the per-namespace cap.
import { describe, expect, it } from 'vitest';
import { isAionError, type SearchAttributeType } from '../../core/index.js';
import type { SearchAttributeDefinition } from '../contract/index.js';
import {
  isReservedSearchAttributeName,
  MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE,
  planSearchAttributeRegistration,
} from './search-attribute-rules.js';

const none = new Map<string, SearchAttributeType>();

function refusal(
  existing: ReadonlyMap<string, SearchAttributeType>,
  defs: readonly unknown[],
): string {
  try {
    planSearchAttributeRegistration(existing, defs as SearchAttributeDefinition[]);
  } catch (error) {
    if (!isAionError(error)) throw error;
    expect(error.code).toBe('invalid_argument');
    return error.message;
  }
  throw new Error('expected the registration to be refused');
}

describe('planSearchAttributeRegistration', () => {
  it('returns only the new definitions, sorted, each once', () => {
    const existing = new Map<string, SearchAttributeType>([['Amount', 'Int']]);
    expect(
      planSearchAttributeRegistration(existing, [
        { name: 'Zeta', type: 'Bool' },
        { name: 'Amount', type: 'Int' },
        { name: 'Alpha', type: 'Text' },
        { name: 'Zeta', type: 'Bool' },
      ]),
    ).toEqual([
      { name: 'Alpha', type: 'Text' },
      { name: 'Zeta', type: 'Bool' },
    ]);
    expect(planSearchAttributeRegistration(existing, [{ name: 'Amount', type: 'Int' }])).toEqual(
      [],
    );
  });

  it('refuses a type change, naming the attribute and both types', () => {
    const existing = new Map<string, SearchAttributeType>([['CustomerId', 'Keyword']]);
    expect(refusal(existing, [{ name: 'CustomerId', type: 'Text' }])).toMatch(
      /search attribute CustomerId is registered as Keyword and cannot become Text/,
    );
    expect(
      refusal(none, [
        { name: 'X', type: 'Int' },
        { name: 'X', type: 'Double' },
      ]),
    ).toMatch(/X is listed as Int and cannot become Double/);
  });

  it.each([
    ['WorkflowType', /"WorkflowType" is reserved/],
    ['workflowid', /"workflowid" is reserved/],
    ['Stuck', /reserved/],
    ['HistoryLength', /reserved/],
    ['between', /reserved/],
    ['Null', /reserved/],
    ['9lives', /must be 1-64 letters, digits or '_'/],
    ['a-b', /must be 1-64 letters/],
    ['', /must be 1-64 letters/],
    ['x'.repeat(65), /must be 1-64 letters/],
  ])('refuses the name %j', (name, message) => {
    expect(refusal(none, [{ name, type: 'Keyword' }])).toMatch(message);
  });

  it('accepts names that only contain a reserved word', () => {
    expect(isReservedSearchAttributeName('OrderId')).toBe(false);
    expect(
      planSearchAttributeRegistration(none, [{ name: 'OrderId', type: 'Keyword' }]),
    ).toHaveLength(1);
  });

  it('refuses malformed definitions', () => {
    expect(refusal(none, [{ name: 'X', type: 'String' }])).toMatch(
      /search attribute X has unknown type "String"; use one of Keyword, KeywordList/,
    );
    expect(refusal(none, [null])).toMatch(/definition #1 must be \{name, type\}/);
    expect(refusal(none, [{ type: 'Int' }])).toMatch(/definition #1 needs a string name/);
    expect(() => planSearchAttributeRegistration(none, 'X' as never)).toThrow(/must be an array/);
  });

  it(`caps a namespace at ${MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE} attributes`, () => {
    const full = new Map<string, SearchAttributeType>(
      Array.from({ length: MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE }, (_, i) => [`A${i}`, 'Int']),
    );
    expect(planSearchAttributeRegistration(full, [{ name: 'A0', type: 'Int' }])).toEqual([]);
    expect(refusal(full, [{ name: 'One_more', type: 'Int' }])).toMatch(
      /at most 256 search attributes/,
    );
  });
});
