import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AionError, isAionError } from '../../core/index.js';
import { buildPackage, resolveWorkflowsPath } from '../../package/index.js';
import { loadConfig } from '../../server/config.js';
import type { CliIo } from '../output.js';
import { startServer } from './server.js';
import { SourceWatcher } from './source-watcher.js';

/** Root of the running Aion installation (the scaffold depends on it). */
function aionRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url));
}

function aionVersion(): string {
  return (
    JSON.parse(readFileSync(path.join(aionRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,213}$/;

/** The files of a new project. `aionDependency` is the package.json spec for `aion`. */
export function scaffold(name: string, aionDependency: string): Record<string, string> {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      dev: 'aion dev',
      start: 'aion server --workflows src/workflows.ts --activities src/activities.ts',
      check: 'aion check src/workflows.ts',
      build: 'aion build src/workflows.ts --out dist',
      test: 'vitest run',
      client: 'tsx src/client.ts',
    },
    dependencies: { aion: aionDependency },
    devDependencies: { tsx: '^4.20.0', typescript: '^5.9.0', vitest: '^4.0.0' },
  };
  return {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\n.aion/\ndist/\n',
    'src/workflows.ts': `import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from 'aion/workflow';
// Type-only import: activity code never enters the workflow bundle.
import type * as activities from './activities.js';

const { sendEmail } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

export const confirm = defineSignal('confirm');
export const status = defineQuery<string>('status');

/**
 * Signs a user up: sends a welcome email, waits up to a day for the confirmation signal,
 * then sends a reminder if it never came. Survives restarts at every await.
 */
export async function signup(email: string): Promise<string> {
  let state = 'welcoming';
  let confirmed = false;
  setHandler(status, () => state);
  setHandler(confirm, () => {
    confirmed = true;
  });
  await sendEmail(email, 'Welcome!');
  state = 'waiting for confirmation';
  if (await condition(() => confirmed, '1 day')) {
    state = 'confirmed';
    return \`\${email} confirmed\`;
  }
  await sleep('1 second');
  await sendEmail(email, 'Please confirm your address');
  state = 'reminded';
  return \`\${email} reminded\`;
}
`,
    'src/activities.ts': `/** Activities do the I/O; their results are recorded, so they run once per success. */
export async function sendEmail(to: string, subject: string): Promise<void> {
  console.log(\`email to \${to}: \${subject}\`);
}
`,
    'src/client.ts': `import { Client, Connection } from 'aion/client';

// Talks to the server started by \`npm run dev\` (or \`npm start\`).
const connection = await Connection.connect({ address: process.env.AION_ADDRESS ?? 'http://127.0.0.1:7233' });
const client = new Client({ connection });
const handle = await client.workflow.start('signup', { args: ['ada@example.com'] });
console.log('started', handle.workflowId, await handle.query('status'));
await handle.signal('confirm');
console.log('result:', await handle.result());
`,
    'test/workflows.test.ts': `import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { TestWorkflowEnvironment } from 'aion/testing';

const workflowsPath = fileURLToPath(new URL('../src/workflows.ts', import.meta.url));

it('sends a reminder when the confirmation never comes (a day passes in milliseconds)', async () => {
  const sent: string[] = [];
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    workflowsPath,
    activities: { sendEmail: async (_to: string, subject: string) => void sent.push(subject) },
  });
  try {
    expect(await env.client.workflow.execute('signup', { args: ['bo@example.com'] })).toBe('bo@example.com reminded');
    expect(sent).toEqual(['Welcome!', 'Please confirm your address']);
  } finally {
    await env.teardown();
  }
});
`,
    'README.md': `# ${name}

An [Aion](https://www.npmjs.com/package/aion) workflow project.

\`\`\`sh
npm install
npm run dev          # server on http://127.0.0.1:7233; workflow edits are rebuilt and deployed live
npm run client       # start a signup workflow, signal it, print the result
npm test             # workflow tests with time skipping
npm run check        # static determinism check of the workflow code
\`\`\`

- \`src/workflows.ts\` — workflows (deterministic; they call activities for I/O)
- \`src/activities.ts\` — activities (any code; retried by the engine)
- \`src/client.ts\` — a client starting and signalling a workflow over HTTP
`,
  };
}

/** `aion new <name>` and `aion dev`. */
export function registerDevCommands(program: Command, io: CliIo): void {
  program
    .command('new')
    .description('scaffold a runnable workflow project in a new directory')
    .argument('<name>', 'project (and directory) name')
    .option('--dir <dir>', 'parent directory', '.')
    .option(
      '--aion <spec>',
      'package.json spec of the aion dependency (default: this installation)',
    )
    .action((name: string, options: { dir: string; aion?: string }) => {
      if (!NAME.test(name)) {
        throw new AionError(
          'invalid_argument',
          `project name ${JSON.stringify(name)} must be a valid npm package name (lower case letters, digits, . _ -)`,
          { field: 'name' },
        );
      }
      const target = path.resolve(options.dir, name);
      if (existsSync(target) && readdirSync(target).length > 0) {
        throw new AionError(
          'invalid_state',
          `directory ${target} exists and is not empty; choose another name or --dir`,
          {
            path: target,
          },
        );
      }
      const spec = options.aion ?? `file:${aionRoot()}`;
      for (const [file, text] of Object.entries(scaffold(name, spec))) {
        const abs = path.join(target, file);
        mkdirSync(path.dirname(abs), { recursive: true });
        writeFileSync(abs, text);
      }
      io.stdout(
        [
          `created ${target} (aion ${aionVersion()})`,
          '',
          `  cd ${path.relative(process.cwd(), target) || '.'}`,
          '  npm install',
          '  npm run dev',
          '',
        ].join('\n'),
      );
    });

  program
    .command('dev')
    .description(
      'development server: runs the workflows, rebuilds and deploys them on every change',
    )
    .argument('[workflows]', 'workflow module', 'src/workflows.ts')
    .option(
      '--activities <module...>',
      'activity modules (default: activities.ts beside the workflows, if present)',
    )
    .option('--port <port>', 'TCP port', '7233')
    .option('--data-dir <dir>', 'data directory', '.aion')
    .action(
      async (
        workflows: string,
        options: { activities?: string[]; port: string; dataDir: string },
      ) => {
        const entry = resolveWorkflowsPath(workflows);
        const sibling = path.join(path.dirname(entry), 'activities.ts');
        const activities = options.activities ?? (existsSync(sibling) ? [sibling] : []);
        const config = loadConfig({
          flags: {
            port: Number(options.port),
            dataDir: options.dataDir,
            workflowsPath: entry,
            auth: false,
          },
        });
        const { server, url } = await startServer(config, { activities });
        const engine = server.context.engine;
        io.stderr(
          `aion dev: ${url} — watching ${path.dirname(entry)} (workflow changes deploy live; restart for activity changes)\n`,
        );
        let timer: NodeJS.Timeout | undefined;
        let building = Promise.resolve();
        const rebuild = (): void => {
          building = building.then(async () => {
            try {
              const built = await buildPackage({ workflowsPath: entry });
              const result = await engine.deploy(built.archive);
              if (result.freshlyLoaded || result.routeChanged) {
                io.stderr(
                  `deployed ${result.version.slice(0, 12)} (${built.manifest.workflowTypes.map((t) => t.name).join(', ')}); running workflows stay on their version\n`,
                );
              }
            } catch (err) {
              io.stderr(
                `build failed, still serving the previous version: ${isAionError(err) ? err.message : String(err)}\n`,
              );
            }
          });
        };
        const watcher = new SourceWatcher(path.dirname(entry), () => {
          clearTimeout(timer);
          timer = setTimeout(rebuild, 150);
        });
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            watcher.close();
            clearTimeout(timer);
            void building.then(() => server.drain()).then(resolve, resolve);
          };
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
      },
    );
}
