// GET /api/v1/cluster and `aion cluster status` over a real server: on SQLite the store is the
// process's alone (no leases); on PostgreSQL the server's node holds all 64 shard leases at
// epoch 1, readers may look, and the CLI shows the node and the lease table.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { StoreNodesStatus } from '../../src/engine/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { PG_URL, SKIP_PG } from '../store/harnesses.js';
import { call, startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const schema = `aion_cs_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

afterAll(async () => {
  for (const t of servers) await t.stop().catch(() => undefined);
  if (SKIP_PG) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

async function aion(t: TestServer, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main([...args, '--address', t.url, '--api-key', t.tokens.reader!], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (out += s),
    isTTY: false,
  });
  return { code, out };
}

describe('cluster status', () => {
  it('on SQLite: one engine, no leases', async () => {
    const t = await startTestServer({ auth: true, roles: ['reader'] });
    servers.push(t);
    const res = await call(t.url, 'GET', '/api/v1/cluster', { token: t.tokens.reader! });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      store: 'sqlite',
      mode: 'single',
      leases: false,
      nodes: [],
      shards: [],
    });
    const cli = await aion(t, 'cluster', 'status');
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('store: sqlite');
    expect(cli.out).toContain('no node leases');
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^aion_shard_leases_held 0$/m);
    const anonymous = await call(t.url, 'GET', '/api/v1/cluster');
    expect(anonymous.status).toBe(401);
  });

  it.skipIf(SKIP_PG)('on PostgreSQL: this node holds every shard lease', async () => {
    const t = await startTestServer({
      auth: true,
      roles: ['reader'],
      store: () => openPostgresStore({ connectionString: PG_URL, schema, poolSize: 4 }),
    });
    servers.push(t);
    const res = await call(t.url, 'GET', '/api/v1/cluster', { token: t.tokens.reader! });
    expect(res.status).toBe(200);
    const status = res.body as unknown as StoreNodesStatus;
    expect(status).toMatchObject({
      store: 'postgres',
      mode: 'single',
      leases: true,
      shardCount: 64,
    });
    expect(status.nodes).toHaveLength(1);
    expect(status.nodes[0]).toMatchObject({ nodeId: status.nodeId, self: true, ownedShards: 64 });
    expect(status.nodes[0]!.pid).toBe(process.pid);
    expect(status.shards).toEqual([
      expect.objectContaining({ owner: status.nodeId, shards: 64, minEpoch: 1, maxEpoch: 1 }),
    ]);
    expect(status.shards[0]!.expiresAt!).toBeGreaterThan(status.now!);

    const cli = await aion(t, 'cluster', 'status');
    expect(cli.code, cli.out).toBe(0);
    expect(cli.out).toContain('shards: 64');
    expect(cli.out).toContain(`${status.nodeId!} (this)`);
    expect(cli.out).toMatch(/OWNER\s+SHARDS\s+EPOCHS\s+EXPIRES IN/);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^aion_shard_leases_held 64$/m);
    expect(metrics).toContain('# TYPE aion_lease_losses_total counter');
    const json = await aion(t, '--json', 'cluster', 'status');
    expect(JSON.parse(json.out)).toMatchObject({ leases: true, nodeId: status.nodeId });
  });
});
