import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { codeOf } from '../support/errors.js';

const source = (
  tag: string,
): string => `import { condition, defineSignal, setHandler } from 'aion/workflow';
export const go = defineSignal('go');
export async function greeter(): Promise<string> {
  let ok = false;
  setHandler(go, () => { ok = true; });
  await condition(() => ok);
  return '${tag}';
}
`;

const engines = engineOnFileEachTest('aion-deploy-');
let engine: Engine | undefined;

async function archiveOf(tag: string): Promise<{ version: string; archive: Uint8Array }> {
  const file = path.join(engines.dir, `${tag}.ts`);
  writeFileSync(file, source(tag));
  const built = await buildPackage({ workflowsPath: file, name: 'greeter' });
  return { version: built.version, archive: built.archive };
}

describe('deploy, route, unload', () => {
  it('routes new starts to the deployed version, keeps old runs pinned, rolls back and unloads only free versions', async () => {
    const v1 = await archiveOf('v1');
    const v2 = await archiveOf('v2');
    expect(v1.version).not.toBe(v2.version);

    engine = await engines.open();
    expect(await engine.deploy(v1.archive)).toEqual({
      version: v1.version,
      freshlyLoaded: true,
      routeChanged: true,
    });
    // Idempotent re-deploy.
    expect(await engine.deploy(v1.archive)).toEqual({
      version: v1.version,
      freshlyLoaded: false,
      routeChanged: false,
    });
    const a = await engine.start('greeter', { workflowId: 'a' });

    await engine.deploy(v2.archive);
    const b = await engine.start('greeter', { workflowId: 'b' });
    expect((await a.describe()).version).toBe(v1.version);
    expect((await b.describe()).version).toBe(v2.version);

    const listed = await engine.versions();
    const row1 = listed.find((r) => r.version === v1.version);
    const row2 = listed.find((r) => r.version === v2.version);
    expect(row1).toMatchObject({ name: 'greeter', routedTypes: [], openRuns: 1 });
    expect(row2).toMatchObject({ routedTypes: ['greeter'], openRuns: 1 });

    // v1 is pinned by run a; v2 is routed.
    expect(await codeOf(() => engine!.unload(v1.version))).toBe('invalid_state');
    expect(await codeOf(() => engine!.unload(v2.version))).toBe('invalid_state');
    expect(await codeOf(() => engine!.unload('0'.repeat(64)))).toBe('not_found');
    expect(await codeOf(() => engine!.route('greeter', '0'.repeat(64)))).toBe('not_found');
    expect(await codeOf(() => engine!.route('nope', v1.version))).toBe('invalid_argument');
    expect(await codeOf(() => engine!.deploy(new Uint8Array([1, 2, 3])))).not.toBe('ok');

    // Rollback: new starts go to v1 again, and the route survives a restart.
    await engine.route('greeter', v1.version);
    const c = await engine.start('greeter', { workflowId: 'c' });
    expect((await c.describe()).version).toBe(v1.version);
    await engines.close();
    engine = await engines.open();
    const d = await engine.start('greeter', { workflowId: 'd' });
    expect((await d.describe()).version).toBe(v1.version);

    for (const id of ['a', 'b', 'c', 'd']) await engine.getHandle(id).signal('go');
    expect(await engine.getHandle('a').result()).toBe('v1');
    expect(await engine.getHandle('b').result()).toBe('v2');
    expect(await engine.getHandle('c').result()).toBe('v1');
    expect(await engine.getHandle('d').result()).toBe('v1');

    // v2 is neither routed nor pinned by an open run any more.
    await engine.unload(v2.version);
    expect((await engine.versions()).map((r) => r.version)).toEqual([v1.version]);
    expect(await codeOf(() => engine!.unload(v1.version))).toBe('invalid_state');

    // An unloaded version does not come back at restart.
    await engines.close();
    engine = await engines.open();
    expect((await engine.versions()).map((r) => r.version)).toEqual([v1.version]);
    expect(await codeOf(() => engine!.route('greeter', v2.version))).toBe('not_found');
  });

  it('a run whose pinned version is missing is parked alone with a typed reason; the engine and other runs go on', async () => {
    const db = engines.db;
    const v1 = await archiveOf('v1');
    const v2 = await archiveOf('v2');
    const supervision = { maxRestarts: 1, withinMs: 60_000 };
    engine = await engines.open({ supervision });
    await engine.deploy(v1.archive);
    await engine.start('greeter', { workflowId: 'orphan' });
    await engine.deploy(v2.archive);
    await engine.start('greeter', { workflowId: 'healthy' });
    await engines.close();

    // The package row of v1 disappears behind the engine's back (a bad restore, manual SQL).
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(db);
    expect(raw.prepare('DELETE FROM packages WHERE version = ?').run(v1.version).changes).toBe(1);
    raw.close();

    engine = await engines.open({ supervision });
    const orphan = engine.getHandle('orphan');
    // Rebuilding the orphan fails; supervision retries, then parks it with the typed reason.
    let stuck: { reason: string } | undefined;
    for (let i = 0; i < 200 && !stuck; i++) {
      await engine.getHandle('orphan').signal('go');
      stuck = (await orphan.describe()).stuck;
      if (!stuck) await new Promise((r) => setTimeout(r, 50));
    }
    expect(stuck?.reason).toContain('[package_version_missing]');
    expect(stuck?.reason).toContain(v1.version);
    expect((await orphan.describe()).status).toBe('RUNNING');
    const listed = await engine.list({ query: 'Stuck = true' });
    expect(listed.items.map((e) => e.workflowId)).toEqual(['orphan']);

    // The engine and the other run are unaffected.
    await engine.getHandle('healthy').signal('go');
    expect(await engine.getHandle('healthy').result()).toBe('v2');
    const fresh = await engine.start('greeter', { workflowId: 'fresh' });
    await fresh.signal('go');
    expect(await fresh.result()).toBe('v2');

    // Redeploying the missing version (it is routed again) replay-checks the parked run,
    // which continues on its own version; then the route goes back to v2.
    await engine.deploy(v1.archive);
    await orphan.signal('go');
    expect(await orphan.result()).toBe('v1');
    expect((await orphan.describe()).version).toBe(v1.version);
    await engine.route('greeter', v2.version);
  });

  it('parallel starts racing route flips: every run executes and finishes on the version it recorded', async () => {
    const v1 = await archiveOf('v1');
    const v2 = await archiveOf('v2');
    engine = await engines.open();
    await engine.deploy(v1.archive);
    await engine.deploy(v2.archive);
    const tagOf = new Map([
      [v1.version, 'v1'],
      [v2.version, 'v2'],
    ]);
    const e = engine;
    let flipping = true;
    const flips = (async () => {
      let n = 0;
      while (flipping) {
        await e.route('greeter', n++ % 2 === 0 ? v1.version : v2.version);
        await new Promise((r) => setImmediate(r));
      }
      return n;
    })();
    const ids = Array.from({ length: 200 }, (_, i) => `race-${i}`);
    const starts: Promise<unknown>[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      // Waves of concurrent starts, each wave overlapping route flips in flight.
      for (const id of ids.slice(i, i + 10)) starts.push(e.start('greeter', { workflowId: id }));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(starts);
    flipping = false;
    expect(await flips).toBeGreaterThan(2);
    await Promise.all(ids.map((id) => e.getHandle(id).signal('go')));
    const seen = new Set<string>();
    for (const id of ids) {
      const handle = e.getHandle(id);
      const recorded = (await handle.describe()).version;
      const result = await handle.result();
      expect(result).toBe(tagOf.get(recorded));
      seen.add(result as string);
    }
    // Both versions were in play (the flips interleaved with the starts).
    expect(seen.size).toBe(2);
  });

  it('a v1 run finishes on v1 across a kill -9 restart while new starts go to v2', async () => {
    const db = engines.db;
    const v1 = await archiveOf('v1');
    const v2 = await archiveOf('v2');
    const f1 = path.join(engines.dir, 'v1.aion');
    const f2 = path.join(engines.dir, 'v2.aion');
    writeFileSync(f1, v1.archive);
    writeFileSync(f2, v2.archive);
    const runner = new URL('./fixtures/deploy-runner.ts', import.meta.url).pathname;

    // Process 1: deploy v1, start run "old", then die by SIGKILL.
    const first = spawn(process.execPath, ['--import', 'tsx', runner, db, f1, 'old'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"started"')) resolve();
      });
      first.on('exit', (code) => reject(new Error(`runner exited early (${code}): ${out}`)));
    });
    first.removeAllListeners('exit');
    const dead = new Promise((r) => first.on('exit', r));
    first.kill('SIGKILL');
    await dead;

    // Process 2: deploy v2 (re-routes), start "fresh", signal both, report results.
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', runner, db, f2, 'fresh', 'old', 'fresh'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out2 = '';
    second.stdout.on('data', (d: Buffer) => {
      out2 += d.toString();
    });
    const code = await new Promise((r) => second.on('exit', r));
    expect(code).toBe(0);
    const lines = out2
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ step: 'deployed', version: v2.version, routeChanged: true });
    expect(lines.at(-1)).toEqual({ step: 'results', results: { old: 'v1', fresh: 'v2' } });

    engine = await engines.open();
    expect((await engine.getHandle('old').describe()).version).toBe(v1.version);
    expect((await engine.getHandle('fresh').describe()).version).toBe(v2.version);
  }, 60_000);

  it('rejects corrupt, tampered and oversize archives with package_invalid and changes nothing', async () => {
    const v1 = await archiveOf('v1');
    engine = await engines.open();
    const e = engine;
    expect(await codeOf(() => e.deploy(new Uint8Array([1, 2, 3])))).toBe('package_invalid');
    const tampered = Uint8Array.from(v1.archive);
    tampered[Math.floor(tampered.length / 2)]! ^= 0xff;
    expect(await codeOf(() => e.deploy(tampered))).toBe('package_invalid');
    expect(await codeOf(() => e.deploy(new Uint8Array(33 * 1024 * 1024)))).toBe('package_invalid');
    expect(await e.versions()).toEqual([]);
    expect(await codeOf(() => e.start('greeter'))).toBe('unknown_workflow_type');
  });
});
