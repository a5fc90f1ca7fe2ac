export { MemoryStore, createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
