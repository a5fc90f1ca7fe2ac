import {
  AionError,
  checkSearchAttribute,
  type SearchAttributeType,
  type SearchAttributeUpsert,
  type SearchAttributeValue,
} from '../core/index.js';
import { parseIsoDatetime } from './datetime.js';

/** A search-attribute value as written by users: typed `{type, value}` or a plain value. */
export type SearchAttributeInput =
  SearchAttributeValue | string | number | boolean | readonly string[] | Date | null;

function fail(name: string, message: string): never {
  throw new AionError('invalid_argument', `search attribute ${name}: ${message}`, {
    field: `searchAttributes.${name}`,
  });
}

/**
 * Converts user-written values to typed search-attribute values using the namespace's
 * schema. Unregistered names and values that do not fit the registered type are refused.
 * `null` removes an attribute (in upserts).
 */
export function toTypedSearchAttributes(
  input: Readonly<Record<string, unknown>>,
  schema: ReadonlyMap<string, SearchAttributeType>,
): SearchAttributeUpsert {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AionError('invalid_argument', 'search attributes must be an object of name → value', {
      field: 'searchAttributes',
    });
  }
  const out: Record<string, SearchAttributeValue | null> = {};
  for (const [name, raw] of Object.entries(input)) {
    const type = schema.get(name);
    if (type === undefined) {
      const known = [...schema.keys()];
      fail(
        name,
        `is not registered in this namespace${known.length > 0 ? ` (registered: ${known.join(', ')})` : ''}; register it first`,
      );
    }
    // An empty list removes the attribute, as in earlier `@temporalio` clients and workflows.
    if (raw === null || (Array.isArray(raw) && raw.length === 0)) {
      out[name] = null;
      continue;
    }
    let value: SearchAttributeValue;
    if (typeof raw === 'object' && !Array.isArray(raw) && !(raw instanceof Date) && 'type' in raw) {
      const typed = raw as SearchAttributeValue;
      if (typed.type !== type) fail(name, `is registered as ${type}, got a ${typed.type} value`);
      value = typed;
    } else {
      value = convert(name, type, raw);
    }
    const problem = checkSearchAttribute(name, value);
    if (problem !== undefined) fail(name, problem);
    out[name] = value;
  }
  return out;
}

function convert(name: string, type: SearchAttributeType, raw: unknown): SearchAttributeValue {
  // Earlier `@temporalio` versions write every value as a list: one element for a scalar.
  if (Array.isArray(raw) && type !== 'KeywordList') {
    if (raw.length !== 1) fail(name, `${type} holds one value, got a list of ${raw.length}`);
    raw = raw[0];
  }
  switch (type) {
    case 'Keyword':
    case 'Text':
      if (typeof raw !== 'string') fail(name, `${type} needs a string`);
      return { type, value: raw };
    case 'KeywordList':
      if (typeof raw === 'string') return { type, value: [raw] };
      if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string'))
        fail(name, 'KeywordList needs an array of strings');
      return { type, value: [...raw] };
    case 'Int':
      if (!Number.isSafeInteger(raw)) fail(name, 'Int needs a safe integer');
      return { type, value: raw as number };
    case 'Double':
      if (typeof raw !== 'number' || !Number.isFinite(raw))
        fail(name, 'Double needs a finite number');
      return { type, value: raw };
    case 'Bool':
      if (typeof raw !== 'boolean') fail(name, 'Bool needs true or false');
      return { type, value: raw };
    case 'Datetime': {
      if (raw instanceof Date) return { type, value: raw.getTime() };
      if (Number.isSafeInteger(raw)) return { type, value: raw as number };
      if (typeof raw === 'string') {
        const ms = parseIsoDatetime(raw);
        if (ms !== undefined) return { type, value: ms };
      }
      return fail(name, 'Datetime needs a Date, an ISO-8601 string or epoch milliseconds');
    }
  }
}
