// The value forms workflow code writes search attributes in (upserts, continue-as-new).
/**
 * A value of a search attribute as written in workflow code; `null` removes it. An array is
 * a KeywordList's values, or — the form of earlier `@temporalio/workflow` versions — a
 * one-element list holding a scalar attribute's value (`{ CustomerId: ['c-1'] }`); an empty
 * array removes the attribute.
 */
export type SearchAttributeValueInput =
  | string
  | number
  | boolean
  | Date
  | readonly string[]
  | readonly (number | boolean | Date)[]
  | null;
