/** The typed values a search attribute can hold. */
export const SEARCH_ATTRIBUTE_TYPES = [
  'Keyword',
  'KeywordList',
  'Text',
  'Int',
  'Double',
  'Bool',
  'Datetime',
] as const;

export type SearchAttributeType = (typeof SEARCH_ATTRIBUTE_TYPES)[number];

export type SearchAttributeValue =
  | { readonly type: 'Keyword'; readonly value: string }
  | { readonly type: 'KeywordList'; readonly value: readonly string[] }
  | { readonly type: 'Text'; readonly value: string }
  | { readonly type: 'Int'; readonly value: number }
  | { readonly type: 'Double'; readonly value: number }
  | { readonly type: 'Bool'; readonly value: boolean }
  /** Milliseconds since the Unix epoch (UTC). */
  | { readonly type: 'Datetime'; readonly value: number };

/** Search attributes of a run; `null` in an upsert removes the attribute. */
export type SearchAttributes = Readonly<Record<string, SearchAttributeValue>>;
export type SearchAttributeUpsert = Readonly<Record<string, SearchAttributeValue | null>>;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Returns an error message for an invalid value, or undefined when valid. */
export function checkSearchAttribute(name: string, sa: unknown): string | undefined {
  if (!NAME_RE.test(name)) {
    return `search attribute name ${JSON.stringify(name)} must be 1-64 letters, digits or '_' and not start with a digit`;
  }
  if (typeof sa !== 'object' || sa === null)
    return `search attribute ${name} must be {type, value}`;
  const { type, value } = sa as { type: unknown; value: unknown };
  switch (type) {
    case 'Keyword':
    case 'Text':
      return typeof value === 'string'
        ? undefined
        : `search attribute ${name} (${type}) must be a string`;
    case 'KeywordList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : `search attribute ${name} (KeywordList) must be an array of strings`;
    case 'Int':
      return Number.isSafeInteger(value)
        ? undefined
        : `search attribute ${name} (Int) must be a safe integer`;
    case 'Double':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `search attribute ${name} (Double) must be a finite number`;
    case 'Bool':
      return typeof value === 'boolean'
        ? undefined
        : `search attribute ${name} (Bool) must be a boolean`;
    case 'Datetime':
      return Number.isSafeInteger(value)
        ? undefined
        : `search attribute ${name} (Datetime) must be epoch milliseconds`;
    default:
      return `search attribute ${name} has unknown type ${JSON.stringify(type)}; use one of ${SEARCH_ATTRIBUTE_TYPES.join(', ')}`;
  }
}

/** Lower-cased word tokens of a Text attribute, used for token matching. */
export function tokenizeText(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

/** Applies an upsert to existing attributes (null removes). */
export function applySearchAttributeUpsert(
  current: SearchAttributes,
  upsert: SearchAttributeUpsert,
): SearchAttributes {
  const next: Record<string, SearchAttributeValue> = { ...current };
  for (const [name, value] of Object.entries(upsert)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return next;
}
