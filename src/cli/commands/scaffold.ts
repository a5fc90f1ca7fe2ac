// The files `aion new` writes: a runnable project with workflows, activities, a client,
// a time-skipping test, and the scripts to run, test and type-check it.

/** The files of a new project. `aionDependency` is the package.json spec for `aion`. */
export function scaffold(name: string, aionDependency: string): Record<string, string> {
  return {
    'package.json': packageJson(name, aionDependency),
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\n.aion/\ndist/\n',
    'src/workflows.ts': WORKFLOWS,
    'src/activities.ts': ACTIVITIES,
    'src/client.ts': CLIENT,
    'test/workflows.test.ts': WORKFLOWS_TEST,
    'README.md': readme(name, aionDependency),
  };
}

function packageJson(name: string, aionDependency: string): string {
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
      typecheck: 'tsc --noEmit',
      client: 'tsx src/client.ts',
    },
    dependencies: { aion: aionDependency },
    devDependencies: {
      // Types of the Node line the project was created on (process, import.meta, timers).
      '@types/node': `^${process.versions.node.split('.')[0]}.0.0`,
      tsx: '^4.20.0',
      typescript: '^5.9.0',
      vitest: '^4.0.0',
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
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
)}\n`;

const WORKFLOWS = `import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from 'aion/workflow';
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
`;

const ACTIVITIES = `/** Activities do the I/O; their results are recorded, so they run once per success. */
export async function sendEmail(to: string, subject: string): Promise<void> {
  console.log(\`email to \${to}: \${subject}\`);
}
`;

const CLIENT = `import { Client, Connection } from 'aion/client';

// Talks to the server started by \`npm run dev\` (or \`npm start\`).
const connection = await Connection.connect({ address: process.env.AION_ADDRESS ?? 'http://127.0.0.1:7233' });
const client = new Client({ connection });
const handle = await client.workflow.start('signup', { args: ['ada@example.com'] });
console.log('started', handle.workflowId, await handle.query('status'));
await handle.signal('confirm');
console.log('result:', await handle.result());
`;

const WORKFLOWS_TEST = `import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { checkCrashAtEveryStep, TestWorkflowEnvironment } from 'aion/testing';

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

it('recovers from a crash at every step to the same history', async () => {
  // Runs signup once (confirmed), then rebuilds it from every workflow task boundary as a
  // restarted server would, and checks each recovery makes the same decisions to the end.
  const { steps } = await checkCrashAtEveryStep({
    workflowsPath,
    activities: { sendEmail: async () => undefined },
    workflowType: 'signup',
    args: ['ada@example.com'],
    script: async (handle) => {
      await handle.signal('confirm');
    },
  });
  expect(steps).toBeGreaterThan(1);
});
`;

function readme(name: string, aionDependency: string): string {
  return `# ${name}

A workflow project on Aion, durable workflows for TypeScript. Aion's guide and reference
are installed with it: \`node_modules/aion/README.md\` and \`node_modules/aion/docs/\`
(start with \`workflows.md\`).

\`\`\`sh
npm install
npm run dev          # server on http://127.0.0.1:7233; workflow edits are rebuilt and deployed live
npm run client       # start a signup workflow, signal it, print the result
npm test             # workflow tests with time skipping
npm run typecheck    # TypeScript, workflows and tests included
npm run check        # static determinism check of the workflow code
\`\`\`

- \`src/workflows.ts\` — workflows (deterministic; they call activities for I/O)
- \`src/activities.ts\` — activities (any code; retried by the engine)
- \`src/client.ts\` — a client starting and signalling a workflow over HTTP

## Where \`aion\` comes from

Aion is not published on the npm registry. \`dependencies.aion\` in \`package.json\` is
\`${aionDependency}\`, the installation that created this project. To build the project
on another machine, point it at a git URL or at a tarball made with \`npm pack\` in an
Aion checkout:

\`\`\`sh
npm install git+https://<git host>/<owner>/aion.git#<tag>
npm install ../aion/aion-<version>.tgz
\`\`\`
`;
}
