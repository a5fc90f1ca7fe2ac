/**
 * The package as published: `npm pack` (dist built fresh into a staging copy, so the checkout's
 * dist/ is left alone), installed into an empty project with the current
 * `@opentelemetry/sdk-trace-base`; type-checked by a consumer with `skipLibCheck: false` over
 * every public entry; its source maps carry their sources; the documented tracing setup
 * records spans (Aion and the SDK share the application's one `@opentelemetry/api`).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const resolve = createRequire(path.join(root, 'package.json')).resolve;
const tsc = resolve('typescript/bin/tsc');
const tsx = resolve('tsx/cli');
const ENTRIES = [
  'aion',
  'aion/workflow',
  'aion/activity',
  'aion/client',
  'aion/worker',
  'aion/server',
  'aion/testing',
  'aion/store/sqlite',
  'aion/store/postgres',
];
const MINUTES = 60_000;

let work: string;
let consumer: string;

/** Runs a command; on failure the error message carries its output. */
async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout: 5 * MINUTES, maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'aion-published-'));
  const staging = path.join(work, 'staging');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    files: string[];
    devDependencies: Record<string, string>;
  };
  cpSync(path.join(root, 'package.json'), path.join(staging, 'package.json'));
  for (const entry of manifest.files.filter((f) => f !== 'dist'))
    cpSync(path.join(root, entry), path.join(staging, entry), { recursive: true });
  await sh(
    process.execPath,
    [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(staging, 'dist')],
    root,
  );
  await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work], staging);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;

  consumer = path.join(work, 'consumer');
  cpSync(path.join(root, 'test/published/consumer'), consumer, { recursive: true });
  // Kept apart so that the repository's tooling (ESLint's project service) uses its own.
  cpSync(
    path.join(root, 'test/published/tsconfig.consumer.json'),
    path.join(consumer, 'tsconfig.json'),
  );
  // --ignore-scripts: type-checking needs no native build of better-sqlite3.
  await sh(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, tarball),
      `@opentelemetry/sdk-trace-base@${manifest.devDependencies['@opentelemetry/sdk-trace-base']}`,
    ],
    consumer,
  );
}, 10 * MINUTES);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it(
    'type-checks in a consumer with skipLibCheck: false, importing every public entry',
    async () => {
      const imports = ENTRIES.map((e, i) => `import * as entry${i} from '${e}';`).join('\n');
      const uses = `export const entries = [${ENTRIES.map((_, i) => `entry${i}`).join(', ')}];`;
      writeFileSync(path.join(consumer, 'index.ts'), `${imports}\n${uses}\n`);
      await sh(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
    },
    5 * MINUTES,
  );

  it('ships source maps with their sources', () => {
    const dist = path.join(consumer, 'node_modules/aion/dist');
    const map = JSON.parse(readFileSync(path.join(dist, 'index.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    expect(map.sources).toHaveLength(1);
    expect(map.sourcesContent?.[0]).toBe(readFileSync(path.join(root, 'src/index.ts'), 'utf8'));
  });

  it(
    'records spans with the SDK the application installed (docs/observability.md)',
    async () => {
      const names = JSON.parse(await sh(process.execPath, [tsx, 'trace.ts'], consumer)) as string[];
      expect(names).toContain('StartWorkflow:hello');
      expect(names).toContain('RunActivity:greet');
      expect(names).toContain('aion.store.commit');
    },
    5 * MINUTES,
  );
});
