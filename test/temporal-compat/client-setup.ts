// The engines and server the client-compatibility tests run on: an engine on the memory store
// and one on SQLite, and `aion server` (in-process, over loopback HTTP) with the remote client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '../../src/client/index.js';
import { createEngine, createMemoryStore, type Engine } from '../../src/index.js';
import { createServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { quiet } from '../support/quiet-logger.js';

export const workflowsPath = new URL('./fixtures/client-compat.ts', import.meta.url).pathname;

export interface OpenEngine {
  readonly engine: Engine;
  close(): Promise<void>;
}

/** The stores every engine test runs on. */
export const STORES = ['memory', 'sqlite'] as const;

export async function openEngine(
  kind: (typeof STORES)[number],
  workflows = workflowsPath,
): Promise<OpenEngine> {
  if (kind === 'memory') {
    const engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: workflows,
      logger: quiet,
    });
    return { engine, close: () => engine.shutdown() };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-compat-'));
  const store = await openSqliteStore({ path: path.join(dir, 'aion.db') });
  const engine = await createEngine({ store, workflowsPath: workflows, logger: quiet });
  return {
    engine,
    close: async () => {
      await engine.shutdown();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OpenServer {
  readonly client: Client;
  readonly engine: Engine;
  readonly url: string;
  close(): Promise<void>;
}

/** `aion server` on SQLite, on a free loopback port, with a remote client connected to it. */
export async function openServer(workflows = workflowsPath): Promise<OpenServer> {
  const open = await openEngine('sqlite', workflows);
  const engine = open.engine;
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-compat-srv-'));
  const server = await createServer({
    engine,
    config: { port: 0, auth: false, dataDir: dir, logLevel: 'silent' },
  });
  const { url } = await server.listen();
  const client = new Client({ connection: await Connection.connect({ address: url }) });
  return {
    client,
    engine,
    url,
    close: async () => {
      await server.close();
      await open.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (generous deadline). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  deadlineMs = 30_000,
): Promise<T> {
  const end = performance.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
