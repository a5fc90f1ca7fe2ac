// A connection that fails in the gap between pg-pool handing it over and the caller attaching
// its own `error` listener (a backend terminated right after it connected) must not crash the
// process: every connection of a store-owned pool carries a listener from the moment it connects.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { guardClientErrors } from '../../src/store/postgres/driver.js';

const URL = process.env.AION_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const pools: pg.Pool[] = [];

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

/** Checks out a new connection and emits `error` on it before any caller could listen. */
function errorOnHandOver(pool: pg.Pool): Promise<{ threw: unknown; client: pg.PoolClient }> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) return reject(err ?? new Error('no client'));
      let threw: unknown;
      try {
        client.emit('error', new Error('terminating connection due to administrator command'));
      } catch (e) {
        threw = e;
      }
      resolve({ threw, client });
    });
  });
}

describe('PostgreSQL connection errors', () => {
  it('an unguarded pool throws on a hand-over error (the gap exists)', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    pools.push(pool);
    const { threw, client } = await errorOnHandOver(pool);
    expect(String(threw)).toContain('administrator command');
    client.release(true);
  });

  it('a guarded pool absorbs it; the connection is destroyed and the pool serves again', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    pools.push(pool);
    guardClientErrors(pool);
    const { threw, client } = await errorOnHandOver(pool);
    expect(threw).toBeUndefined();
    client.release(new Error('broken'));
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
  });
});
