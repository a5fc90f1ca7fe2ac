import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, VirtualClock, type Engine } from '../../src/index.js';
import { buildPackage } from '../../src/package/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { codeOf } from '../support/errors.js';

const workflowsPath = new URL('../server/fixtures/workflows.ts', import.meta.url).pathname;
const activities = { echo: (text: string) => Promise.resolve(text) };

let dir: string | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await engine?.store.close();
  engine = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('namespaces', () => {
  it('isolate workflows, packages and search attributes; activities and recovery serve every namespace', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-ns-'));
    const db = path.join(dir, 'aion.db');
    engine = await createEngine({
      store: await openSqliteStore({ path: db }),
      workflowsPath,
      activities,
    });
    expect((await engine.listNamespaces()).map((n) => n.name)).toEqual(['default']);
    const created = await engine.createNamespace('team-a', {
      description: 'Team A',
      retention: '30 days',
    });
    expect(created).toMatchObject({
      created: true,
      namespace: { name: 'team-a', retentionMs: 30 * 86_400_000 },
    });
    expect((await engine.createNamespace('team-a', { description: 'other' })).created).toBe(false);
    expect((await engine.describeNamespace('team-a')).description).toBe('Team A');

    const a = engine.inNamespace('team-a');
    // Packages are per namespace: nothing is routed in team-a yet.
    expect(await codeOf(() => a.start('greet', { args: ['x'] }))).toBe('unknown_workflow_type');
    const built = await buildPackage({ workflowsPath });
    await a.deploy(built.archive);
    expect((await a.versions()).map((v) => v.version)).toEqual([built.version]);

    // The same workflow id lives independently in each namespace.
    const inDefault = await engine.start('counter', { workflowId: 'same', args: [1] });
    const inA = await a.start('counter', { workflowId: 'same', args: [100] });
    await inA.signal('add', 5);
    expect(await inDefault.query('count')).toBe(1);
    expect(await inA.query('count')).toBe(105);
    expect(await engine.count()).toBe(1);
    expect(await a.count()).toBe(1);
    expect((await a.list()).items.map((i) => i.workflowId)).toEqual(['same']);
    // Activities run for runs of any namespace.
    expect(await a.execute('greet', { args: ['bo'] })).toBe('hi bo');
    expect(await engine.inNamespace('team-b').count()).toBe(0);

    await a.registerSearchAttributes({ Team: 'Keyword' });
    expect(await a.searchAttributes()).toEqual({ Team: 'Keyword' });
    expect(await engine.searchAttributes()).toEqual({});

    // Recovery after a restart drives the runs of every namespace.
    await engine.shutdown();
    await engine.store.close();
    engine = await createEngine({
      store: await openSqliteStore({ path: db }),
      workflowsPath,
      activities,
    });
    const again = engine.inNamespace('team-a');
    await again.getHandle('same').signal('finish');
    expect(await again.getHandle('same').result()).toBe(105);
    expect((await engine.getHandle('same').describe()).status).toBe('RUNNING');

    const updated = await engine.updateNamespace('team-a', { retention: null, description: 'A' });
    expect(updated).toMatchObject({ retentionMs: undefined, description: 'A' });
    expect(await codeOf(() => engine!.updateNamespace('nope', { description: 'x' }))).toBe(
      'not_found',
    );
    expect(await codeOf(() => engine!.describeNamespace('nope'))).toBe('not_found');
    expect(await codeOf(() => engine!.createNamespace('bad name!'))).toBe('invalid_argument');
    expect(await codeOf(() => engine!.createNamespace('short', { retention: '10s' }))).toBe(
      'invalid_argument',
    );
  });

  it('retention deletes closed runs past the namespace retention, keeps open and recent ones', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-ns-'));
    const clock = new VirtualClock();
    engine = await createEngine({
      store: await openSqliteStore({ path: path.join(dir, 'aion.db') }),
      workflowsPath,
      activities,
      clock,
    });
    await engine.createNamespace('short-lived', { retention: '1 hour' });
    const ns = engine.inNamespace('short-lived');
    await ns.deploy((await buildPackage({ workflowsPath })).archive);
    expect(await ns.execute('greet', { args: ['old'] })).toBe('hi old');
    const open = await ns.start('counter', { workflowId: 'open', args: [0] });
    await engine.execute('greet', { workflowId: 'kept-by-default', args: ['d'] });
    clock.advance(30 * 60_000);
    expect(await ns.execute('greet', { workflowId: 'recent', args: ['new'] })).toBe('hi new');
    clock.advance(45 * 60_000); // the first run closed 75 minutes ago, 'recent' 45 minutes ago
    expect(await engine.sweepRetention()).toBe(1);
    expect((await ns.list()).items.map((i) => i.workflowId).sort()).toEqual(['open', 'recent']);
    expect(await codeOf(() => open.describe())).toBe('ok');
    expect(await engine.count()).toBe(1); // the default namespace keeps closed runs forever
  });
});
