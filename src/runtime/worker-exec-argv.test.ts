import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { startWorker, workerExecArgv } from './worker-exec-argv.js';

describe('workerExecArgv', () => {
  it("drops the host's main-script flags and keeps loaders and runtime flags", () => {
    expect(
      workerExecArgv([
        '--input-type=module',
        '-e',
        'console.log(1)',
        '--import',
        'tsx',
        '--enable-source-maps',
        '--eval=x',
        '-p',
        '1+1',
        '--watch-path=src',
        '--test',
        '--max-old-space-size=4096',
        '-r',
        'dotenv/config',
      ]),
    ).toEqual([
      '--import',
      'tsx',
      '--enable-source-maps',
      '--max-old-space-size=4096',
      '-r',
      'dotenv/config',
    ]);
  });

  it('starts a worker without the per-process and V8 flags of the host that a worker refuses', async () => {
    const saved = [...process.execArgv];
    process.execArgv.push('--expose-gc', '--max-old-space-size=512');
    try {
      const tried: string[][] = [];
      const worker = startWorker((execArgv) => {
        tried.push(execArgv);
        return new Worker('require("node:worker_threads").parentPort.postMessage(1)', {
          eval: true,
          execArgv,
        });
      });
      await new Promise((resolve) => worker.once('message', resolve));
      await worker.terminate();
      expect(tried[0]).toEqual(expect.arrayContaining(['--expose-gc', '--max-old-space-size=512']));
      expect(tried.at(-1)).not.toContain('--expose-gc');
      expect(tried.at(-1)).not.toContain('--max-old-space-size=512');
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...saved);
    }
  });
});
