/**
 * `aion backup` and `SqliteStore.backup()`: a consistent copy of a store in use, which an
 * engine opens at once and continues the copied runs from.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createEngine, type Engine } from '../../src/index.js';
import type { SqliteStore } from '../../src/store/sqlite/index.js';
import * as activities from '../server/fixtures/activities.js';
import { fixturesPath } from '../server/helpers.js';
import { cli, until, type AionProcess } from '../support/aion-process.js';
import { spawnServer, startLine } from '../support/aion-server.js';
import { capture } from '../support/cli-io.js';
import { damageTable } from '../support/damaged-store.js';

let dir: string | undefined;
let proc: AionProcess | undefined;
const engines: Engine[] = [];

afterEach(async () => {
  proc?.child.kill('SIGKILL');
  if (proc) await proc.exited;
  proc = undefined;
  for (const e of engines.splice(0)) {
    await e.shutdown();
    await e.store.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An engine on a data directory holding only `backup` as its store. */
async function engineOnCopy(backup: string, name: string): Promise<Engine> {
  const restored = path.join(dir!, name);
  mkdirSync(restored);
  writeFileSync(path.join(restored, 'aion.db'), readFileSync(backup));
  const engine = await createEngine({ dataDir: restored, activities });
  engines.push(engine);
  return engine;
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

describe('aion backup', () => {
  it('copies the store of a running server with runs in flight; an engine opened on the copy continues them', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-backup-'));
    const dataDir = path.join(dir, 'data');
    proc = spawnServer(dataDir, { json: true });
    const started = await startLine(proc);
    const api = `${started.address}/api/v1/namespaces/default/workflows`;
    for (let i = 1; i <= 3; i++) {
      await post(api, { workflowType: 'counter', workflowId: `c-${i}`, args: [i * 10] });
      await post(`${api}/c-${i}/signal`, { name: 'add', args: [i] });
    }
    await post(api, { workflowType: 'awaitApproval', workflowId: 'approval-1', args: ['a'] });
    // The signals are in the histories before the copy is taken.
    for (let i = 1; i <= 3; i++) {
      await until(`c-${i} to count its signal`, async () => {
        const r = (await post(`${api}/c-${i}/query`, { name: 'count' })) as { result: number };
        return r.result === i * 11 ? true : undefined;
      });
    }

    const out = path.join(dir, 'backups', 'aion-backup.db');
    const backup = await cli(['--json', 'backup', '--data-dir', dataDir, '--out', out]);
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout) as { path: string; bytes: number; store: string };
    expect(result).toMatchObject({ path: out, store: path.join(dataDir, 'aion.db') });
    expect(result.bytes).toBeGreaterThan(0);
    expect(readdirSync(path.dirname(out))).toEqual(['aion-backup.db']);
    // The server kept running and serving.
    expect((await fetch(`${started.address}/readyz`)).status).toBe(200);
    await post(`${api}/c-1/signal`, { name: 'add', args: [100] });

    const engine = await engineOnCopy(out, 'restored');
    // The copy holds the runs as they were at the backup (not the later signal to c-1).
    for (let i = 1; i <= 3; i++) {
      const handle = engine.getHandle<number>(`c-${i}`);
      expect(await handle.query<number>('count')).toBe(i * 11);
      await handle.signal('finish');
      expect(await handle.result()).toBe(i * 11);
    }
    // The activity attempt in flight at the backup belongs to the server's engine: the copy
    // treats it as an attempt of a gone process, and the run goes on to its end.
    expect(await engine.getHandle('approval-1').result()).toMatch(/^(approved|rejected): /);
  });

  it('refuses an existing file, a missing store and a damaged one, leaving no partial file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-backup-'));
    const dataDir = path.join(dir, 'data');
    const exists = path.join(dir, 'exists.db');
    writeFileSync(exists, 'keep me');

    const missing = capture();
    expect(
      await main(['backup', '--data-dir', dataDir, '--out', path.join(dir, 'x.db')], missing),
    ).toBe(3);
    expect(missing.err).toContain(
      `error[not_found]: no Aion store at ${path.join(dataDir, 'aion.db')}`,
    );

    const engine = await createEngine({ dataDir });
    await engine.shutdown();
    await engine.store.close();
    const taken = capture();
    expect(await main(['backup', '--data-dir', dataDir, '--out', exists], taken)).toBe(2);
    expect(taken.err).toContain(`error[invalid_argument]: ${exists} exists`);
    expect(readFileSync(exists, 'utf8')).toBe('keep me');

    // Damage a page of the store: the backup reads every row, so it fails instead of copying.
    damageTable(path.join(dataDir, 'aion.db'), 'runs');
    const damaged = capture();
    const out = path.join(dir, 'damaged-copy.db');
    expect(await main(['backup', '--data-dir', dataDir, '--out', out], damaged)).toBe(6);
    expect(damaged.err).toContain('error[store_corrupt]');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('damaged-copy'))).toEqual([]);
  });
});

describe('SqliteStore.backup()', () => {
  it('copies the store of a running engine; an engine opened on the copy sees its runs', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-backup-'));
    const engine = await createEngine({
      dataDir: path.join(dir, 'data'),
      workflowsPath: fixturesPath,
      activities,
    });
    engines.push(engine);
    for (let i = 1; i <= 3; i++) {
      const handle = await engine.start<number>('counter', { workflowId: `c-${i}`, args: [i] });
      await handle.signal('add', 1);
    }
    const out = path.join(dir, 'copy.db');
    const result = await (engine.store as SqliteStore).backup(out);
    expect(result.path).toBe(out);
    expect(result.bytes).toBeGreaterThan(0);
    await expect((engine.store as SqliteStore).backup(out)).rejects.toMatchObject({
      code: 'invalid_argument',
    });

    const copy = await engineOnCopy(out, 'restored');
    const runs = await copy.list({ query: "WorkflowType = 'counter'" });
    expect(runs.items.map((r) => r.workflowId).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    const handle = copy.getHandle<number>('c-2');
    await until('c-2 to count its signal on the copy', async () =>
      (await handle.query<number>('count')) === 3 ? true : undefined,
    );
    await handle.signal('finish');
    expect(await handle.result()).toBe(3);
  });
});
