// Rules of the per-namespace search-attribute schema that every store enforces on register:
// which names are reserved (built-in fields, query keywords) and what a registration adds.
import {
  AionError,
  BUILTIN_FIELDS,
  checkSearchAttribute,
  SEARCH_ATTRIBUTE_TYPES,
  type SearchAttributeType,
} from '../../core/index.js';
import type { SearchAttributeDefinition } from '../contract/index.js';

/** The built-in fields of every run's visibility row (defined in core: the console shares them). */
export { BUILTIN_FIELDS };

/**
 * Reserved words of the visibility query language (matched case-insensitively). Kept here
 * because a custom search attribute may not take one of them as its name.
 */
export const KEYWORDS = [
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'CONTAINS',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'TRUE',
  'FALSE',
] as const;

/** At most this many custom search attributes per namespace (keeps queries and indexes bounded). */
export const MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE = 256;

/**
 * Names that would be ambiguous in a query, compared case-insensitively: the built-in fields,
 * a few names kept for built-ins to come, and the query keywords.
 */
const RESERVED = new Set(
  [
    ...BUILTIN_FIELDS,
    'ExecutionDuration',
    'HistoryLength',
    'ParentWorkflowId',
    'ParentRunId',
    ...KEYWORDS,
  ].map((name) => name.toLowerCase()),
);

export function isReservedSearchAttributeName(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

function bad(message: string, details: Record<string, unknown> = {}): AionError {
  return new AionError('invalid_argument', message, { field: 'searchAttributes', ...details });
}

function isType(value: unknown): value is SearchAttributeType {
  return (SEARCH_ATTRIBUTE_TYPES as readonly unknown[]).includes(value);
}

/** Checks one definition's shape, name and type; throws `invalid_argument` naming it. */
function checkDefinition(def: unknown, index: number): SearchAttributeDefinition {
  if (typeof def !== 'object' || def === null) {
    throw bad(`search attribute definition #${index + 1} must be {name, type}`, { index });
  }
  const { name, type } = def as { name?: unknown; type?: unknown };
  if (typeof name !== 'string') {
    throw bad(`search attribute definition #${index + 1} needs a string name`, { index });
  }
  // The value only lets checkSearchAttribute reach its name rule, so names follow one rule.
  const nameError = checkSearchAttribute(name, { type: 'Keyword', value: '' });
  if (nameError !== undefined) throw bad(nameError, { name });
  if (isReservedSearchAttributeName(name)) {
    throw bad(
      `search attribute name ${JSON.stringify(name)} is reserved (a built-in field or query keyword); choose another name`,
      { name },
    );
  }
  if (!isType(type)) {
    throw bad(
      `search attribute ${name} has unknown type ${JSON.stringify(type)}; use one of ${SEARCH_ATTRIBUTE_TYPES.join(', ')}`,
      { name },
    );
  }
  return { name, type };
}

/**
 * Validates a registration against the namespace's current schema and returns the
 * definitions it adds (sorted by name; empty when everything is already registered).
 * Throws `invalid_argument` — and the caller writes nothing — for a malformed, reserved or
 * re-typed name, conflicting duplicates in `defs`, or a schema grown past
 * {@link MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE}.
 */
export function planSearchAttributeRegistration(
  existing: ReadonlyMap<string, SearchAttributeType>,
  defs: readonly SearchAttributeDefinition[],
): SearchAttributeDefinition[] {
  if (!Array.isArray(defs)) throw bad('search attribute definitions must be an array');
  const added = new Map<string, SearchAttributeType>();
  defs.forEach((raw: unknown, index) => {
    const def = checkDefinition(raw, index);
    const known = existing.get(def.name) ?? added.get(def.name);
    if (known === undefined) {
      added.set(def.name, def.type);
    } else if (known !== def.type) {
      throw bad(
        `search attribute ${def.name} is ${existing.has(def.name) ? 'registered' : 'listed'} as ${known} and cannot become ${def.type}; a registered attribute keeps its type (register a new name instead)`,
        { name: def.name, type: known, requested: def.type },
      );
    }
  });
  if (existing.size + added.size > MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE) {
    throw bad(
      `a namespace holds at most ${MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE} search attributes; it has ${existing.size} and this call adds ${added.size}`,
      { limit: MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE },
    );
  }
  return [...added]
    .map(([name, type]) => ({ name, type }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
