/** `aion/store/sqlite`: the embedded SQLite store (the default store of an embedded engine). */
export { openSqliteStore } from './open.js';
export type { SqliteStoreOptions } from './options.js';
export { SqliteStore } from './sqlite-store.js';
export { SCHEMA_VERSION } from './migrations.js';
export { backupSqliteFile, type BackupResult, type SqliteBackupOptions } from './backup.js';
