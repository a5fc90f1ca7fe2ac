// The ops console's server side: its static files at `/` and the cookie sessions it signs
// in with (docs/api.md, "Console").
export { consoleDirectory, aionPackageRoot } from './console-dir.js';
export { readConsoleFiles, type ConsoleFiles } from './static-files.js';
export { consoleRoutes, CONSOLE_CSP } from './static-routes.js';
export { SessionSigner } from './session-token.js';
export { ConsoleSessions, SESSION_COOKIE, SESSION_PATH } from './sessions.js';
export { sessionRoutes } from './session-routes.js';
export { mountConsoleFiles, startConsoleSessions, type ConsoleStatus } from './mount.js';
