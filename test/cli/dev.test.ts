import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection, type RemoteWorkflowHandle } from '../../src/client/index.js';
import { main } from '../../src/cli/main.js';
import { capture } from '../support/cli-io.js';
import { checkWorkflows } from '../../src/package/index.js';
import { checkCrashAtEveryStep, TestWorkflowEnvironment } from '../../src/testing/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(root, 'bin', 'aion.js');

let dir: string | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('aion new', () => {
  it('scaffolds a project whose workflows pass the check and run (its own test passes)', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-new-'));
    dir = d;
    const io = capture();
    expect(await main(['new', 'my-app', '--dir', d], io)).toBe(0);
    const app = path.join(d, 'my-app');
    for (const f of [
      'package.json',
      'tsconfig.json',
      'src/workflows.ts',
      'src/activities.ts',
      'src/client.ts',
      'test/workflows.test.ts',
      'README.md',
    ]) {
      expect(existsSync(path.join(app, f)), f).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies.aion).toBe(`file:${root}`);
    expect(io.out).toContain('npm run dev');

    const checked = await checkWorkflows({ workflowsPath: path.join(app, 'src', 'workflows.ts') });
    expect(checked.findings).toEqual([]);

    // What the scaffold's own test does, run here against this Aion.
    const sent: string[] = [];
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      workflowsPath: path.join(app, 'src', 'workflows.ts'),
      activities: {
        sendEmail: (_to: string, subject: string) => {
          sent.push(subject);
          return Promise.resolve();
        },
      },
    });
    try {
      expect(await env.client.workflow.execute('signup', { args: ['bo@example.com'] })).toBe(
        'bo@example.com reminded',
      );
      expect(sent).toEqual(['Welcome!', 'Please confirm your address']);
    } finally {
      await env.teardown();
    }
    const crashes = await checkCrashAtEveryStep({
      workflowsPath: path.join(app, 'src', 'workflows.ts'),
      activities: { sendEmail: () => Promise.resolve() },
      workflowType: 'signup',
      args: ['ada@example.com'],
      script: async (handle) => {
        await handle.signal('confirm');
      },
    });
    expect(crashes.steps).toBeGreaterThan(1);

    expect(await main(['new', 'my-app', '--dir', d], capture())).toBe(4);
    const bad = capture();
    expect(await main(['new', 'Bad Name', '--dir', d], bad)).toBe(2);
    expect(bad.err).toContain('error[invalid_argument]');
  });
});

/** Runs `aion dev` on a fresh scaffold as a real process; resolves once it serves. */
async function startDev(extra: readonly string[] = []): Promise<{
  app: string;
  workflows: string;
  client: Client;
  stdout: () => string;
  stderr: () => string;
}> {
  const d = mkdtempSync(path.join(tmpdir(), 'aion-dev-'));
  dir = d;
  expect(await main(['new', 'app', '--dir', d], capture())).toBe(0);
  const app = path.join(d, 'app');
  const workflows = path.join(app, 'src', 'workflows.ts');
  let stderr = '';
  child = spawn(
    process.execPath,
    [bin, 'dev', workflows, '--port', '0', '--data-dir', path.join(app, '.aion'), ...extra],
    { cwd: app },
  );
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitFor('the dev server', () => /aion dev: http/.test(stderr));
  const url = /aion dev: (http:\/\/\S+)/.exec(stderr)![1]!;
  const client = new Client({ connection: await Connection.connect({ address: url }) });
  return { app, workflows, client, stdout: () => stdout, stderr: () => stderr };
}

/** Confirms a signup run once it waits for that, and returns its result. */
async function confirm(handle: RemoteWorkflowHandle): Promise<unknown> {
  for (;;) {
    if ((await handle.query('status')) === 'waiting for confirmation') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await handle.signal('confirm');
  return handle.result();
}

/** The scaffold's workflows with the confirmed result's wording changed. */
function confirmedAs(source: string, word: string): string {
  return source.replace('`${email} confirmed`', `\`\${email} ${word}\``);
}

describe('aion dev', () => {
  it('serves the workflows and deploys each change live; running workflows stay on their version', async () => {
    const { workflows, client, stderr } = await startDev();
    const first = await client.workflow.start('signup', { workflowId: 'first', args: ['a@x'] });

    writeFileSync(workflows, confirmedAs(readFileSync(workflows, 'utf8'), 'verified'));
    await waitFor('the live deploy', () => /deployed [0-9a-f]{12}/.test(stderr()));
    const second = await client.workflow.start('signup', { workflowId: 'second', args: ['b@x'] });
    expect(await confirm(first)).toBe('a@x confirmed');
    expect(await confirm(second)).toBe('b@x verified');

    // A broken edit is reported; the server keeps serving the last good version.
    writeFileSync(workflows, 'export async function signup( {');
    await waitFor('the build failure', () => stderr().includes('build failed'));
    const third = await client.workflow.start('signup', { workflowId: 'third', args: ['c@x'] });
    expect((await third.describe()).status).toBe('RUNNING');
  });

  it('keeps deploying after saves that rename a temporary file over the source (vim, safe write, sed -i)', async () => {
    const { workflows, client, stderr } = await startDev();
    const original = readFileSync(workflows, 'utf8');
    let saves = 0;
    const saveByRename = (text: string): void => {
      const tmp = path.join(path.dirname(workflows), `.workflows.ts.${++saves}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, workflows);
    };
    const count = (pattern: RegExp): number => (stderr().match(pattern) ?? []).length;
    const deploys = (): number => count(/deployed [0-9a-f]{12}/g);

    for (const word of ['verified', 'checked', 'approved']) {
      const before = deploys();
      saveByRename(confirmedAs(original, word));
      await waitFor(`the deploy of the "${word}" save`, () => deploys() > before);
    }
    saveByRename('export async function signup( {');
    await waitFor('the broken save to be reported', () => count(/build failed/g) === 1);
    const before = deploys();
    saveByRename(confirmedAs(original, 'fixed'));
    await waitFor('the fixed save to be deployed', () => deploys() > before);

    const run = await client.workflow.start('signup', { workflowId: 'after', args: ['z@x'] });
    expect(await confirm(run)).toBe('z@x fixed');
  }, 240_000);

  it('with --json prints where it listens; writes the port and pid files, removed when it stops', async () => {
    const run = mkdtempSync(path.join(tmpdir(), 'aion-dev-run-'));
    const portFile = path.join(run, 'port');
    const pidFile = path.join(run, 'pid');
    try {
      const dev = await startDev(['--json', '--port-file', portFile, '--pid-file', pidFile]);
      const pid = child!.pid;
      // startDev waited for the human line, which follows the start line and the run files.
      const line = JSON.parse(dev.stdout().split('\n')[0]!) as Record<string, unknown>;
      expect(line).toMatchObject({ host: '127.0.0.1', pid, watching: path.join(dev.app, 'src') });
      const port = line.port as number;
      expect(line.address).toBe(`http://127.0.0.1:${port}`);
      expect(line.console).toBe(`http://127.0.0.1:${port}/`);
      await waitFor('the console line', () =>
        dev.stderr().includes(`console: http://127.0.0.1:${port}/`),
      );
      expect(readFileSync(portFile, 'utf8')).toBe(`${port}\n`);
      expect(readFileSync(pidFile, 'utf8')).toBe(`${pid}\n`);

      const exited = new Promise((r) => child!.once('exit', r));
      child!.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(portFile)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
