// The pre-deploy replay check over the API, the remote client and `aion deploy --check`: a
// compatible package passes, one that changed the order of activities diverges with the
// place and the reason, and nothing is deployed or routed by a check.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Client, Connection } from '../../src/client/index.js';
import { buildPackage } from '../../src/index.js';
import { waitFor } from '../support/wait.js';
import { call, startTestServer, type TestServer } from './helpers.js';

const header = `import { proxyActivities } from 'aion/workflow';
const { echo, approveLater } = proxyActivities<{
  echo(text: string): Promise<string>;
  approveLater(id: string): Promise<string>;
}>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 1 } });
`;
/** The deployed code: an echo, then an approval that stays pending (the run stays open). */
const V1 = `${header}export async function steps(id: string): Promise<string> {
  const a = await echo(id);
  return a + (await approveLater(id));
}`;
/** Compatible: the same decisions, a different result once approved. */
const COMPATIBLE = `${header}export async function steps(id: string): Promise<string> {
  const a = await echo(id);
  return a + '/' + (await approveLater(id));
}`;
/** Incompatible: the activities in the other order. */
const SWAPPED = `${header}export async function steps(id: string): Promise<string> {
  const b = await approveLater(id);
  return (await echo(id)) + b;
}`;

let t: TestServer;
let dir: string;
let admin: string;
const files: Record<string, string> = {};
const versions: Record<string, string> = {};

async function build(name: string, source: string): Promise<void> {
  const src = path.join(dir, `${name}.ts`);
  writeFileSync(src, source);
  const built = await buildPackage({ workflowsPath: src });
  files[name] = path.join(dir, `${name}.aion`);
  writeFileSync(files[name], built.archive);
  versions[name] = built.version;
}

const checkPath = (sample?: number): string =>
  `/api/v1/namespaces/default/packages/check${sample !== undefined ? `?sample=${sample}` : ''}`;

async function check(name: string, token: string = admin, sample?: number) {
  return call(t.url, 'POST', checkPath(sample), { raw: readFileSync(files[name]!), token });
}

/** `aion <args>` in-process against the test server; exit code and output. */
async function aion(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args, '--address', t.url, '--api-key', admin], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-deploy-check-'));
  t = await startTestServer({ auth: true, roles: ['admin', 'operator', 'reader'] });
  admin = t.tokens.admin!;
  await build('v1', V1);
  await build('compatible', COMPATIBLE);
  await build('swapped', SWAPPED);
  const deployed = await call(t.url, 'POST', '/api/v1/namespaces/default/packages', {
    raw: readFileSync(files.v1!),
    token: admin,
  });
  expect(deployed.status).toBe(201);
  for (const id of ['s1', 's2']) {
    const h = await t.engine.start('steps', { workflowId: id, args: [id] });
    // Open, waiting on its approval: the echo is done and the approval is scheduled.
    await waitFor(
      async () =>
        (await h.fetchHistory()).events.filter((e) => e.type === 'ActivityScheduled').length === 2,
      { what: `run ${id} to wait on its approval` },
    );
  }
  // A run of a type the packages do not export: never checked.
  await t.engine.start('counter', { workflowId: 'other', args: [0] });
}, 180_000);

afterAll(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('pre-deploy replay check', () => {
  it('passes a compatible package: every sampled open run replays', async () => {
    const res = await check('compatible');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      version: versions.compatible,
      workflowTypes: ['steps'],
      checked: 2,
      passed: 2,
      diverged: [],
    });
  });

  it('lists the runs an incompatible package diverges on, with where and why', async () => {
    const res = await check('swapped');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: versions.swapped, checked: 2, passed: 0 });
    const diverged = res.body.diverged as {
      workflowId: string;
      runId: string;
      workflowType: string;
      version: string;
      message: string;
    }[];
    // Newest first.
    expect(diverged.map((d) => d.workflowId)).toEqual(['s2', 's1']);
    for (const d of diverged) {
      expect(d.workflowType).toBe('steps');
      expect(d.version).toBe(versions.v1);
      expect(d.runId).toMatch(/./);
      expect(d.message).toMatch(/seq \d+/);
      expect(d.message).toContain('echo');
      expect(d.message).toContain('approveLater');
    }
  });

  it('replays only `sample` runs, the newest', async () => {
    const res = await check('swapped', admin, 1);
    expect(res.body).toMatchObject({ checked: 1, passed: 0 });
    expect((res.body.diverged as { workflowId: string }[])[0]!.workflowId).toBe('s2');
    const bad = await check('swapped', admin, 0);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_argument', details: { field: 'sample' } });
  });

  it('stores and routes nothing, and refuses what a deploy refuses', async () => {
    await check('compatible');
    await check('swapped');
    const listed = await call(t.url, 'GET', '/api/v1/namespaces/default/packages', {
      token: admin,
    });
    const stored = (listed.body.versions as { version: string }[]).map((v) => v.version);
    expect(stored).toContain(versions.v1);
    expect(stored).not.toContain(versions.compatible);
    expect(stored).not.toContain(versions.swapped);
    const h = await t.engine.start('steps', { workflowId: 's-after', args: ['x'] });
    expect((await h.describe()).version).toBe(versions.v1);
    await h.terminate('done');

    const garbage = await call(t.url, 'POST', checkPath(), {
      raw: new Uint8Array([1, 2, 3]),
      token: admin,
    });
    expect(garbage.status).toBe(422);
    expect(garbage.body.code).toBe('package_invalid');
  });

  it('is for admins only', async () => {
    expect((await check('compatible', t.tokens.operator)).status).toBe(403);
    expect((await check('compatible', t.tokens.reader)).status).toBe(403);
  });

  it('is offered by the remote client', async () => {
    const connection = await Connection.connect({ address: t.url, apiKey: admin });
    const out = await new Client({ connection }).checkDeploy(readFileSync(files.swapped!), {
      sample: 5,
    });
    expect(out.checked).toBe(2);
    expect(out.diverged.map((d) => d.workflowId).sort()).toEqual(['s1', 's2']);
  });

  it('aion deploy --check prints the runs that diverge and exits 1; 0 when all replay', async () => {
    const ok = await aion('deploy', '--check', files.compatible!);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2 replay, 0 diverge');
    expect(ok.stdout).toContain('nothing was deployed');

    const bad = await aion('deploy', '--check', files.swapped!);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/WORKFLOW ID\s+RUN ID\s+TYPE\s+PINNED\s+DIVERGENCE/);
    expect(bad.stdout).toContain('s1');
    expect(bad.stdout).toContain('0 replay, 2 diverge');

    const asJson = await aion('--json', 'deploy', '--check', files.swapped!, '--sample', '1');
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ checked: 1, passed: 0 });

    const listed = await aion('--json', 'versions');
    const stored = (JSON.parse(listed.stdout) as { versions: { version: string }[] }).versions;
    expect(stored.map((v) => v.version)).not.toContain(versions.swapped);
  });
});
