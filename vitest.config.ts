import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

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
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-report.json' },
  },
});
