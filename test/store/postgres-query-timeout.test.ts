// A database that accepts connections but never answers (here: the store's backends frozen
// with SIGSTOP, in a private cluster) fails statements with the retryable store_unavailable
// after queryTimeoutMs instead of holding them forever; once it answers again the store works.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAionError } from '../../src/core/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import {
  canRunPrivatePostgres,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres.js';

let cluster: PrivatePostgres | undefined;

beforeAll(async () => {
  if (canRunPrivatePostgres()) cluster = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
}, 60_000);

async function storeBackends(url: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const r = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'aion:%'`,
    );
    return r.rows.map((row) => row.pid);
  } finally {
    await admin.end();
  }
}

const run = { namespace: 'default', workflowId: 'w', runId: 'r' };

describe.skipIf(!canRunPrivatePostgres())('PostgreSQL query timeout', () => {
  it('fails a statement the frozen server never answers with store_unavailable, then recovers', async () => {
    const store = await openPostgresStore({
      connectionString: cluster!.url,
      schema: 'frozen',
      poolSize: 2,
      queryTimeoutMs: 1000,
    });
    const frozen: number[] = [];
    try {
      expect(await store.getRun(run)).toBeUndefined();
      frozen.push(...(await storeBackends(cluster!.url)));
      expect(frozen.length).toBeGreaterThan(0);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      const err = await store.getRun(run).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAionError(err) && err.code).toBe('store_unavailable');
      expect(isAionError(err) && err.retryable).toBe(true);
      expect(String((err as Error).message)).toContain('query timeout');
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    // The timed-out connection was discarded: the store answers on a fresh one.
    expect(await store.getRun(run)).toBeUndefined();
    await store.close();
  }, 60_000);

  it('refuses a negative or fractional timeout with a clear error', async () => {
    await expect(
      openPostgresStore({ connectionString: cluster!.url, schema: 'bad', queryTimeoutMs: -1 }),
    ).rejects.toThrow(/queryTimeoutMs must be a whole number/);
  });
});
