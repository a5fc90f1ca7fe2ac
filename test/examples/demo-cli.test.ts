import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(root, 'bin', 'aion.js');
const compiled = path.join(root, 'dist', 'cli', 'main.js');

interface Outcome {
  orderId: string;
  status: string;
  summary: string;
}
interface DemoReport {
  store: string;
  previous: Outcome[];
  resumed: Outcome[];
  orders: Outcome[];
}

/** Runs `node bin/aion.js --json demo`; `killOn` SIGKILLs it once stdout contains that text. */
function demo(
  dataDir: string,
  options: { human?: boolean; killOn?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [bin, ...(options.human ? [] : ['--json']), 'demo', '--data-dir', dataDir];
  args.push('--latency', options.killOn ? '300' : '20');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.killOn && stdout.includes(options.killOn)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function report(out: { code: number | null; stdout: string; stderr: string }): DemoReport {
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as DemoReport;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(compiled)) {
    throw new Error(
      `${compiled} is missing: the CLI test runs the compiled CLI; run \`npm run build\` first (npm run test:all does)`,
    );
  }
  dir = mkdtempSync(path.join(tmpdir(), 'aion-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aion demo (compiled CLI, SQLite store)', () => {
  it('runs the order saga, and a second run lists the first run’s orders from the store', async () => {
    const dataDir = path.join(dir, 'twice');
    const first = report(await demo(dataDir));
    expect(first.previous).toEqual([]);
    expect(first.orders.map((o) => [o.orderId, o.status])).toEqual([
      ['order-0001', 'COMPLETED'],
      ['order-0002', 'FAILED'],
      ['order-0003', 'FAILED'],
    ]);
    expect(first.orders[2]!.summary).toContain('refundCard → releaseInventory');

    const second = report(await demo(dataDir));
    expect(second.previous).toEqual(first.orders);
    expect(second.resumed).toEqual([]);
    expect(second.orders.map((o) => o.orderId)).toEqual(['order-0004', 'order-0005', 'order-0006']);
  });

  it('finishes the orders of a run killed mid-way', async () => {
    const dataDir = path.join(dir, 'killed');
    const killed = await demo(dataDir, { human: true, killOn: 'Placing new orders' });
    expect(killed.code).toBeNull(); // killed by the signal
    const next = report(await demo(dataDir));
    expect(next.resumed.length).toBeGreaterThan(0);
    const all = [...next.previous.filter((o) => o.status !== 'RUNNING'), ...next.resumed];
    expect(all.map((o) => [o.orderId, o.status]).sort()).toEqual([
      ['order-0001', 'COMPLETED'],
      ['order-0002', 'FAILED'],
      ['order-0003', 'FAILED'],
    ]);
    expect(next.orders.map((o) => o.orderId)).toEqual(['order-0004', 'order-0005', 'order-0006']);
  });
});
