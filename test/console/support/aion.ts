// A real engine (SQLite in a temp dir) and `aion server` on a free loopback port, with the
// console's test workflows, and one API key per role.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../../../src/index.js';
import {
  ApiKeys,
  createServer,
  PrometheusMetrics,
  type AionServer,
  type Role,
  type ServerConfig,
} from '../../../src/server/index.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { quiet } from '../../support/quiet-logger.js';
import * as activities from './fixtures/activities.js';

const workflowsPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;

export interface ConsoleBackend {
  readonly url: string;
  readonly engine: Engine;
  readonly server: AionServer;
  readonly tokens: Record<'admin' | 'operator' | 'reader', string>;
  stop(): Promise<void>;
}

export async function startBackend(options: {
  auth: boolean;
  /** More server settings (e.g. `traceUrl`). */
  config?: Partial<ServerConfig>;
}): Promise<ConsoleBackend> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-console-'));
  const metrics = new PrometheusMetrics({ processMetrics: false });
  const engine = await createEngine({
    store: await openSqliteStore({ path: path.join(dataDir, 'aion.db') }),
    workflowsPath,
    activities,
    metrics,
    // A crashing task parks its run at once (the console shows it stuck and offers Retry).
    supervision: { maxRestarts: 0 },
    logger: quiet,
  });
  const keys = new ApiKeys(engine.store);
  const token = async (role: Role): Promise<string> =>
    (await keys.create({ name: `console-${role}`, role })).token;
  const tokens = {
    admin: await token('admin'),
    operator: await token('operator'),
    reader: await token('reader'),
  };
  const server = await createServer({
    engine,
    metrics,
    config: { ...options.config, port: 0, auth: options.auth, dataDir, logLevel: 'silent' },
  });
  const { url } = await server.listen();
  return {
    url,
    engine,
    server,
    tokens,
    stop: async () => {
      await server.close();
      await engine.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
