import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const workflows = fileURLToPath(new URL('../fixtures/workflows/basic.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'aion-eval-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an engine created from `node --input-type=module -e`', () => {
  it('starts its workflow thread and runs a workflow (the host flags do not reach the thread)', async () => {
    const script = `
      import { createEngine } from ${JSON.stringify(dist)};
      const engine = await createEngine({
        dataDir: ${JSON.stringify(dir)},
        workflowsPath: ${JSON.stringify(workflows)},
        activities: { greet: async (name) => 'hello ' + name },
      });
      console.log(JSON.stringify({ result: await engine.execute('hello', { args: ['eval'] }) }));
      await engine.shutdown();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 120_000,
    });
    expect(JSON.parse(stdout.trim())).toEqual({ result: 'hello eval' });
  });
});
