import { describe, expect, it } from 'vitest';
import { workerExecArgv } from './workflow-thread.js';

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
});
