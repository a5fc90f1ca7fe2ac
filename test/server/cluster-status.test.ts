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
import { waitFor } from '../support/wait.js';
import { call, startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const dropLater: string[] = [];
const schema = `aion_cs_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

afterAll(async () => {
  for (const t of servers) await t.stop().catch(() => undefined);
  if (SKIP_PG) return;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const s of [schema, ...dropLater])
    await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
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

  it.skipIf(SKIP_PG)(
    'in cluster mode: nodes share the shards, and a drained node hands its own off',
    async () => {
      const clusterSchema = `${schema}_c`;
      dropLater.push(clusterSchema);
      const open = () =>
        openPostgresStore({ connectionString: PG_URL, schema: clusterSchema, poolSize: 4 });
      const [a, b] = [
        await startTestServer({ auth: true, roles: ['reader', 'admin'], store: open, cluster: {} }),
        await startTestServer({ auth: true, roles: ['reader', 'admin'], store: open, cluster: {} }),
      ];
      servers.push(a, b);
      const status = async (t: TestServer): Promise<StoreNodesStatus> =>
        (await call(t.url, 'GET', '/api/v1/cluster', { token: t.tokens.reader! }))
          .body as unknown as StoreNodesStatus;
      await waitFor(
        async () => (await status(a)).nodes.filter((n) => n.ownedShards > 0).length === 2,
        { timeoutMs: 60_000, what: 'both nodes holding shards' },
      );
      const seen = await status(a);
      expect(seen.mode).toBe('cluster');
      const other = seen.nodes.find((n) => !n.self)!;

      const refused = await call(
        a.url,
        'POST',
        `/api/v1/cluster/nodes/${encodeURIComponent(other.nodeId)}/drain`,
        {
          token: a.tokens.reader!,
        },
      );
      expect(refused.status).toBe(403);
      const missing = await call(a.url, 'POST', '/api/v1/cluster/nodes/nobody/drain', {
        token: a.tokens.admin!,
      });
      expect(missing.status).toBe(404);
      const cli = await main(
        ['cluster', 'drain', other.nodeId, '--address', a.url, '--api-key', a.tokens.admin!],
        {
          stdout: () => undefined,
          stderr: () => undefined,
          isTTY: false,
        },
      );
      expect(cli).toBe(0);
      await waitFor(
        async () => {
          const s = await status(b);
          const drained = s.nodes.find((n) => n.nodeId === other.nodeId);
          return (
            drained?.draining === true &&
            drained.ownedShards === 0 &&
            s.shards.every((g) => g.owner !== other.nodeId)
          );
        },
        { timeoutMs: 60_000, what: 'the drained node to hand every shard off' },
      );
      const text = await aion(a, 'cluster', 'status');
      expect(text.out).toContain('mode: cluster');
      expect(text.out).toContain('(draining)');
    },
  );
});
