import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runtime imports of one file: type-only imports are erased first, as the build does. */
function runtimeImports(file: string): string[] {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  }).outputText;
  const specs = new Set<string>();
  for (const m of out.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g))
    specs.add(m[1]!);
  return [...specs];
}

/** Every module loaded at runtime by importing `file`: local files and bare specifiers. */
function closure(file: string): { files: string[]; bare: string[] } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (f: string): void => {
    if (files.has(f)) return;
    files.add(f);
    for (const spec of runtimeImports(f)) {
      if (spec.startsWith('.')) visit(resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
      else bare.add(spec);
    }
  };
  visit(file);
  return { files: [...files].map((f) => relative(SRC, f)).sort(), bare: [...bare].sort() };
}

describe('aion/activity entry', () => {
  it('loads only src/core, src/activity and node:async_hooks (plus core’s own light deps)', () => {
    const { files, bare } = closure(resolve(SRC, 'activity/index.ts'));
    const outside = files.filter((f) => !f.startsWith('core/') && !f.startsWith('activity/'));
    expect(outside).toEqual([]);
    expect(bare.filter((b) => b.startsWith('node:'))).toEqual(['node:async_hooks']);
    for (const heavy of ['better-sqlite3', 'pg', 'esbuild']) expect(bare).not.toContain(heavy);
  });

  it('exports the activity API', () => {
    expect(Object.keys(entry).sort()).toEqual([
      'ActivityFailure',
      'ApplicationFailure',
      'ApplicationFailureCategory',
      'CancelledFailure',
      'CompleteAsyncError',
      'Context',
      'TimeoutFailure',
      'activityInfo',
      'cancellationSignal',
      'cancelled',
      'decode',
      'encode',
      'errorCode',
      'errorMessage',
      'heartbeat',
      'isAionFailure',
      'isCancellation',
      'isCompleteAsyncError',
      'log',
      'sleep',
    ]);
  });
});
