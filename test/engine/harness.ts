import { memoryHarness, postgresHarness, sqliteHarness } from '../store/harnesses.js';

/** Engine end-to-end tests run on every store. */
export const ENGINE_HARNESSES = [memoryHarness, sqliteHarness, postgresHarness];
