// How the server takes the console on: its files at `/` (per the `console` and `consoleDir`
// settings) and, when keys are required, cookie sessions beside bearer keys.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { Authenticator } from '../auth.js';
import type { ServerConfig } from '../config.js';
import { consoleDirectory } from './console-dir.js';
import { readConsoleFiles } from './static-files.js';
import { consoleRoutes } from './static-routes.js';
import { SessionSigner } from './session-token.js';
import { ConsoleSessions } from './sessions.js';

/** Whether the server serves the console: `off`, or at `/` from `dir` (`missing`: not built). */
export type ConsoleStatus =
  | { readonly state: 'off' }
  | { readonly state: 'served' | 'missing'; readonly dir: string | undefined };

/** Mounts the console's files at `/` unless `console` is off. */
export function mountConsoleFiles(app: FastifyInstance, config: ServerConfig): ConsoleStatus {
  if (!config.console) return { state: 'off' };
  const dir = consoleDirectory(config.consoleDir);
  const files = dir === undefined ? undefined : readConsoleFiles(dir);
  consoleRoutes(app, files, dir);
  return { state: files === undefined ? 'missing' : 'served', dir };
}

/**
 * Console sessions for a server that requires keys (undefined under `--no-auth`): signed
 * with the store's task-token secrets, accepted by `auth`, checked on every API request.
 */
export async function startConsoleSessions(
  app: FastifyInstance,
  store: Store,
  auth: Authenticator,
  config: ServerConfig,
): Promise<ConsoleSessions | undefined> {
  if (!config.auth) return undefined;
  const signer = new SessionSigner(store);
  await signer.start();
  app.addHook('onClose', () => {
    signer.stop();
    return Promise.resolve();
  });
  const sessions = new ConsoleSessions(signer, auth.keys, config.consoleSessionTtl);
  auth.useSessions(sessions);
  // A session's sockets stay open while it is renewed (also by requests to other nodes).
  sessions.onSeen((id, expiresAt) => auth.sockets.sessionSeen(id, expiresAt));
  sessions.install(app);
  return sessions;
}
