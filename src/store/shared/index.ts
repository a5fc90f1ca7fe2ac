// Code the store adapters share: cursors, the visibility projection and filter evaluation,
// validation at the store edge, namespace records and the search-attribute schema rules.
export * from './cursor.js';
export * from './expr.js';
export * from './group-by.js';
export * from './namespaces.js';
export * from './projection.js';
export * from './search-attribute-rules.js';
export * from './validate.js';
export * from './security.js';
export * from './schedules.js';
export * from './machine.js';
export * from './shards.js';
export * from './batch-jobs.js';
export * from './lease-standing.js';
