// Kept so existing imports of './commands.js' keep working; the code lives in commands/.
// New code imports the folder's door, './commands/index.js'.
export * from './commands/index.js';
