import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Engine, type Store } from '../../src/index.js';
import {
  ApiKeys,
  createServer,
  PrometheusMetrics,
  type AionServer,
  type Role,
  type ServerConfig,
} from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import * as activities from './fixtures/activities.js';

export const fixturesPath = new URL('./fixtures/workflows.ts', import.meta.url).pathname;
export const activitiesPath = new URL('./fixtures/activities.ts', import.meta.url).pathname;

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly engine: Engine;
  readonly server: AionServer;
  /** One token per requested role. */
  readonly tokens: Partial<Record<Role, string>>;
  stop(): Promise<void>;
}

/** A real engine (SQLite in a temp dir) and server on a free loopback port. */
export async function startTestServer(
  options: {
    auth?: boolean;
    roles?: readonly Role[];
    maxBodyBytes?: number;
    maxPackageBytes?: number;
    /** Further server configuration (e.g. drainGraceMs). */
    config?: Partial<ServerConfig>;
    /** The engine's store (default: SQLite in the temp dir). */
    store?: () => Promise<Store>;
    /** Join the store's cluster (PostgreSQL). */
    cluster?: { readonly leaseTtlMs?: number };
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-server-'));
  const metrics = new PrometheusMetrics({ processMetrics: false });
  const engine = await createEngine({
    store: options.store
      ? await options.store()
      : await openSqliteStore({ path: path.join(dataDir, 'aion.db') }),
    workflowsPath: fixturesPath,
    activities,
    metrics,
    ...(options.cluster ? { cluster: true, leaseTtlMs: options.cluster.leaseTtlMs ?? 1_500 } : {}),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
  const tokens: Partial<Record<Role, string>> = {};
  const keys = new ApiKeys(engine.store);
  for (const role of options.roles ?? [])
    tokens[role] = (await keys.create({ name: `test-${role}`, role })).token;
  const server = await createServer({
    engine,
    metrics,
    config: {
      port: 0,
      auth: options.auth ?? false,
      dataDir,
      logLevel: 'silent',
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.maxPackageBytes ? { maxPackageBytes: options.maxPackageBytes } : {}),
      ...options.config,
    },
  });
  const { url } = await server.listen();
  return {
    url,
    dataDir,
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

/** A raw HTTP call: status and parsed JSON body. */
export async function call(
  url: string,
  method: string,
  pathname: string,
  options: { body?: unknown; raw?: Uint8Array | string; token?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.raw !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/octet-stream';
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(url + pathname, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}
