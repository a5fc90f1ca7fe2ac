import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

/** Fault trials stop and restart their own PostgreSQL cluster: one file at a time, apart. */
const FAULTS = 'test/faults/**/*.test.ts';
/** The console in a real browser (chromium): one file at a time, apart. */
const BROWSER = 'test/console/**/*.test.ts';
/** The docs check: the documentation's shell blocks, run with the built CLI. */
const DOCS = 'test/docs/docs-check.test.ts';

export default defineConfig({
  resolve: {
    // Mirror of the tsconfig `paths`: tests import the package entries from source.
    alias: [
      { find: /^aion\/workflow$/, replacement: src('workflow/index.ts') },
      { find: /^aion\/activity$/, replacement: src('activity/index.ts') },
      { find: /^aion\/client$/, replacement: src('client/index.ts') },
      { find: /^aion\/testing$/, replacement: src('testing/index.ts') },
      { find: /^aion$/, replacement: src('index.ts') },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-report.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
          exclude: [...configDefaults.exclude, FAULTS, BROWSER, DOCS],
        },
      },
      {
        // A project of its own so that a run can leave it out (`--project default`): its
        // commands do not depend on the Node line, and it takes minutes.
        extends: true,
        test: { name: 'docs', include: [DOCS] },
      },
      {
        // `npm run torture`'s trials under CI: serial, with a budget of minutes, not seconds.
        extends: true,
        test: {
          name: 'faults',
          include: [FAULTS],
          fileParallelism: false,
          testTimeout: 600_000,
        },
      },
      {
        // `npx vitest run --project browser`: the ops console driven in chromium against a
        // real server; saves screenshots under .tmp/console-screenshots.
        extends: true,
        test: {
          name: 'browser',
          include: [BROWSER],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
