/**
 * Visibility: the query language over runs (`WorkflowType = 'x' AND StartTime > '…'`),
 * compiled to the store contract's `VisibilityExpr` and resolved against a namespace's
 * search-attribute schema. Pure logic; the schema and its registration rules are the store's
 * (`SearchAttributeSchemaStore`), so this folder depends on `src/store` and never the reverse.
 */
export {
  MAX_IN_VALUES,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  parseVisibilityQuery,
  type VisibilityQuery,
} from './query.js';
export { schemaFromDefinitions } from './schema.js';
export { parseIsoDatetime } from './datetime.js';
export { BUILTIN_FIELDS, KEYWORDS, normalizeStatus, ORDER_FIELDS } from './fields.js';
export { toTypedSearchAttributes, type SearchAttributeInput } from './values.js';
export { splitGroupBy, type GroupedQuery } from './group-by.js';
