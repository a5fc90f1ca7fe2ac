// Namespaces: registration and settings, retention, the search-attribute schema of each, and
// the set of namespaces this engine drives.
export { NamespaceService } from './namespace-service.js';
export { NamespacesInUse } from './in-use.js';
export { RetentionSweeper, DEFAULT_RETENTION_INTERVAL_MS } from './retention.js';
export { SearchAttributeSchemas, type Schema } from './schemas.js';
export {
  namespaceInfo,
  retentionMsOf,
  type NamespaceInfo,
  type NamespaceSettings,
} from './namespace-settings.js';
