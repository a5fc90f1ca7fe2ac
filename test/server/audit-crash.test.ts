import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { cli, until, type AionProcess } from '../support/aion-process.js';
import { listeningUrl, spawnServer } from '../support/aion-server.js';
import { call } from './helpers.js';

let dataDir: string | undefined;
let server: AionProcess | undefined;
afterEach(() => {
  server?.child.kill('SIGKILL');
  server = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

describe('audit trail durability', () => {
  it('after kill -9 every acknowledged mutation is in the audit trail; refusals are counted, not written one by one', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'aion-audit-'));
    const keyFile = path.join(dataDir, 'first-admin.key');
    server = spawnServer(dataDir, { auth: true, args: ['--initial-key-file', keyFile] });
    const url = await listeningUrl(server);
    const token = readFileSync(keyFile, 'utf8').trim();
    expect(server.stderr()).not.toContain(token);

    // Refused calls: a flood of missing keys costs a handful of rows.
    const refused = await Promise.all(
      Array.from({ length: 50 }, () =>
        call(url, 'POST', '/api/v1/namespaces/default/workflows', {
          body: { workflowType: 'greet', args: ['x'] },
        }),
      ),
    );
    expect(refused.every((r) => r.status === 401)).toBe(true);

    // Acknowledged starts, concurrently.
    const acked = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        call(url, 'POST', '/api/v1/namespaces/default/workflows', {
          token,
          body: { workflowType: 'greet', workflowId: `audited-${i}`, args: ['x'] },
        }),
      ),
    );
    expect(acked.map((r) => r.status)).toEqual(Array(25).fill(201));

    // The admin route and `aion audit export` read the trail.
    const exported = await cli(['audit', 'export', '--address', url, '--api-key', token]);
    expect(exported.code).toBe(0);
    expect(exported.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(25);
    await until('the refusals to be written', async () => {
      const res = await call(url, 'GET', '/api/v1/audit?limit=1000', { token });
      const entries = res.body.entries as { outcome: string; count: number }[];
      const counted = entries.filter((e) => e.outcome === 'refused');
      const total = counted.reduce((n, e) => n + e.count, 0);
      return total >= 50 ? counted : undefined;
    });

    server.child.kill('SIGKILL');
    await server.exited;
    server = undefined;

    const store = await openSqliteStore({ path: path.join(dataDir, 'aion.db') });
    try {
      const entries = await store.readAudit({ limit: 10_000 });
      for (let i = 0; i < 25; i++) {
        expect(entries).toContainEqual(
          expect.objectContaining({
            action: 'workflow.start',
            outcome: 'ok',
            target: `audited-${i}`,
            namespace: 'default',
          }),
        );
      }
      const refusals = entries.filter((e) => e.outcome === 'refused');
      expect(refusals.reduce((n, e) => n + e.count, 0)).toBe(50);
      expect(refusals.length).toBeLessThanOrEqual(5);
      expect(refusals[0]).toMatchObject({
        code: 'unauthenticated',
        action: 'POST /api/v1/namespaces/:namespace/workflows',
        namespace: 'default',
      });
    } finally {
      await store.close();
    }
  });
});
