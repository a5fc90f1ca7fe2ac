/**
 * Store harnesses for the conformance suite: one per adapter, each giving every scenario a
 * fresh, empty store. Adapter modules are imported lazily inside `create()`, so an adapter
 * that fails to load fails its own scenarios and nothing else.
 *
 * Environment:
 * - `AION_TEST_PG`: PostgreSQL connection string (default `postgres://postgres@127.0.0.1:5432/test`).
 * - `AION_SKIP_PG=1`: leave PostgreSQL out explicitly. Without it an unreachable server fails
 *   every PostgreSQL scenario loudly — CI must never pass without having run them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../src/store/index.js';
import type {
  StoreHandle,
  StoreHarness,
  StoreHarnessCreateOptions,
} from '../../src/testing/index.js';

export const PG_URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const SKIP_PG = process.env.AION_SKIP_PG === '1';

/** Closes every store in `stores` that is still open (each at most once). */
async function closeAll(stores: Set<Store>): Promise<void> {
  const errors: unknown[] = [];
  for (const store of stores) {
    try {
      await store.close();
    } catch (error) {
      errors.push(error);
    }
  }
  stores.clear();
  if (errors.length > 0) throw errors[0];
}

export const memoryHarness: StoreHarness = {
  name: 'memory',
  unsupported: {
    second:
      'the memory store lives in one JS heap of one instance; there is no second connection to its data',
    reopen: 'the memory store keeps nothing once closed; durability is out of its scope by design',
  },
  async create(options: StoreHarnessCreateOptions = {}): Promise<StoreHandle> {
    const { createMemoryStore } = await import('../../src/store/memory/index.js');
    const store = createMemoryStore(options.limits ? { limits: options.limits } : {});
    return { store, dispose: () => store.close() };
  },
};

/**
 * SQLite on a temp file. The primary store takes the owner lock (the production default);
 * `second()` opens with `exclusive: false`, which skips the lock (it lives on a sibling
 * `-lock` file and guards against a second *owner* only) and shares the WAL database, so
 * the primary need not give up its lock for the concurrency scenarios.
 */
export const sqliteHarness: StoreHarness = {
  name: 'sqlite',
  async create(options: StoreHarnessCreateOptions = {}): Promise<StoreHandle> {
    const { openSqliteStore } = await import('../../src/store/sqlite/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'aion-conformance-'));
    const path = join(dir, 'store.db');
    const limits = options.limits ? { limits: options.limits } : {};
    const open = new Set<Store>();
    let current: Store = await openSqliteStore({ path, ...limits });
    open.add(current);
    return {
      store: current,
      async second() {
        const store = await openSqliteStore({ path, exclusive: false, ...limits });
        open.add(store);
        return store;
      },
      async reopen() {
        await current.close();
        open.delete(current);
        current = await openSqliteStore({ path, ...limits });
        open.add(current);
        return current;
      },
      async dispose() {
        try {
          await closeAll(open);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  },
};

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** PostgreSQL: a fresh random schema per scenario, dropped on dispose. */
export const postgresHarness: StoreHarness = {
  name: 'postgres',
  async create(options: StoreHarnessCreateOptions = {}): Promise<StoreHandle> {
    const { openPostgresStore } = await import('../../src/store/postgres/index.js');
    const schema = `aion_t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const config = {
      connectionString: PG_URL,
      schema,
      poolSize: 8,
      ...(options.limits ? { limits: options.limits } : {}),
    };
    const open = new Set<Store>();
    let current: Store;
    try {
      current = await openPostgresStore(config);
    } catch (error) {
      await dropSchema(schema).catch(() => {});
      throw new Error(
        `PostgreSQL store could not be opened at ${PG_URL} (set AION_TEST_PG, or AION_SKIP_PG=1 to leave PostgreSQL out explicitly): ${String(error)}`,
        { cause: error },
      );
    }
    open.add(current);
    return {
      store: current,
      async second() {
        const store = await openPostgresStore(config);
        open.add(store);
        return store;
      },
      async reopen() {
        await current.close();
        open.delete(current);
        current = await openPostgresStore(config);
        open.add(current);
        return current;
      },
      async dispose() {
        try {
          await closeAll(open);
        } finally {
          await dropSchema(schema);
        }
      },
    };
  },
};

/** The harnesses the conformance test runs: all three unless `AION_SKIP_PG=1`. */
export const storeHarnesses: readonly StoreHarness[] = SKIP_PG
  ? [memoryHarness, sqliteHarness]
  : [memoryHarness, sqliteHarness, postgresHarness];
