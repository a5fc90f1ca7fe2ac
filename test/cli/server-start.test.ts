import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstLine, until, type AionProcess } from '../support/aion-process.js';
import { spawnServer, startLine } from '../support/aion-server.js';

let dir: string | undefined;
let proc: AionProcess | undefined;
afterEach(() => {
  proc?.child.kill('SIGKILL');
  proc = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('aion server start line and run files', () => {
  it('with --json prints where it listens; writes the port and pid files, removed at a clean exit', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-start-'));
    dir = d;
    mkdirSync(path.join(d, 'run'));
    const portFile = path.join(d, 'run', 'port');
    const pidFile = path.join(d, 'run', 'pid');
    proc = spawnServer(d, { json: true, args: ['--port-file', portFile, '--pid-file', pidFile] });
    const p = proc;
    const started = await startLine(p);
    expect(started).toMatchObject({
      host: '127.0.0.1',
      pid: p.child.pid,
      namespace: 'default',
      store: 'sqlite',
      dataDir: d,
      auth: 'off',
    });
    const port = started.port as number;
    expect(port).toBeGreaterThan(0);
    expect(started.address).toBe(`http://127.0.0.1:${port}`);
    expect(readFileSync(portFile, 'utf8')).toBe(`${port}\n`);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${p.child.pid}\n`);
    expect((await fetch(`${started.address}/readyz`)).status).toBe(200);
    // The human line is still on standard error; standard output holds only the start line.
    expect(p.stderr()).toContain(`listening on http://127.0.0.1:${port}`);
    // The ops console's address, in both.
    expect(started.console).toBe(`http://127.0.0.1:${port}/`);
    await until('the console line', () =>
      p.stderr().includes(`console: http://127.0.0.1:${port}/`) ? true : undefined,
    );

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.stdout().trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(portFile)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('refuses a port file it cannot write, with a hint, and exits without serving', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'aion-start-'));
    dir = d;
    const portFile = path.join(d, 'missing', 'port');
    proc = spawnServer(d, { args: ['--port-file', portFile] });
    expect(await proc.exited).toBe(2);
    expect(proc.stderr()).toContain(
      `error[invalid_argument]: cannot write --port-file ${portFile}`,
    );
    expect(proc.stderr()).toContain('hint: the directory of --port-file must exist');
    expect(existsSync(portFile)).toBe(false);

    const json = spawnServer(d, { json: true, args: ['--pid-file', path.join(d, 'no', 'pid')] });
    expect(await json.exited).toBe(2);
    const out = JSON.parse(firstLine(json.stdout())!) as {
      error: { code: string; details: object };
    };
    expect(out.error).toMatchObject({ code: 'invalid_argument', details: { field: '--pid-file' } });
  });
});
