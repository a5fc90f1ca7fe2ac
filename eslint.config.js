// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from './eslint-rules/boundaries.js';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.aion/**',
      'bin/**',
      '.tmp/**',
      '.ci/**',
      'eslint.config.js',
      'eslint-rules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` union instead of enum.' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No TypeScript namespaces.' },
      ],
    },
  },
  {
    // Shape of the source: folders entered through their door, no import cycles, no file over
    // 500 lines, no function over 80 without a reason written beside it (an eslint-disable
    // comment that says why). See docs/architecture.md.
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { aion: boundaries },
    rules: {
      'aion/index-only': 'error',
      'aion/no-cycle': 'error',
      'max-lines': ['error', { max: 500 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Code that may run inside the deterministic workflow sandbox must not read real time,
    // real randomness or real timers, and must not import Node-only modules.
    // The Node built-in shims are bundled into workflow packages: the same rules apply.
    files: ['src/core/**/*.ts', 'src/workflow/**/*.ts', 'src/package/node-shims/**/*.ts'],
    ignores: ['**/*.test.ts', 'src/package/node-shims/index.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Workflow-side code must use workflow time.' },
        {
          object: 'Math',
          property: 'random',
          message: 'Workflow-side code must use seeded randomness.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use durable timers (sleep) in workflow-side code.' },
        { name: 'setInterval', message: 'Use durable timers in workflow-side code.' },
        { name: 'setImmediate', message: 'Not available in the workflow sandbox.' },
        { name: 'process', message: 'Not available in the workflow sandbox.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'better-sqlite3', 'pg', 'esbuild'],
              message: 'Workflow-side code may import only src/core.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console (web/): browser code, type-checked against web/tsconfig.json. Its folders
    // are views and components imported by path, so the index-only rule does not apply; the
    // size rules do (components a little longer: their markup is one line per element).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'max-lines': ['error', { max: 500 }],
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*'], message: 'The console runs in the browser.' }] },
      ],
    },
  },
  {
    // Build scripts and bench loader hooks in plain JavaScript (Node globals, no type information).
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
      },
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'torture/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
