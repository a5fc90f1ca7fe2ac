// Kept so existing imports of './scheduler.js' keep working; the code lives in scheduler/.
// New code imports the folder's door, './scheduler/index.js'.
export * from './scheduler/index.js';
