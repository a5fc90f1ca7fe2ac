/**
 * Visibility: the query language over runs (`WorkflowType = 'x' AND StartTime > '…'`) and the
 * rules of the per-namespace search-attribute schema it resolves names against. Pure logic;
 * the schema itself is kept by the store (`SearchAttributeSchemaStore`).
 */
export {
  MAX_IN_VALUES,
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  parseVisibilityQuery,
  type VisibilityQuery,
} from './query.js';
export {
  isReservedSearchAttributeName,
  MAX_SEARCH_ATTRIBUTES_PER_NAMESPACE,
  planSearchAttributeRegistration,
  schemaFromDefinitions,
} from './schema.js';
export { parseIsoDatetime } from './datetime.js';
export { BUILTIN_FIELDS, KEYWORDS, normalizeStatus, ORDER_FIELDS } from './fields.js';
export { toTypedSearchAttributes, type SearchAttributeInput } from './values.js';
