// `checkWorkflows`: the whole `aion check` run — resolve the reachable files, scan each one,
// and report dependency findings as warnings with paths relative to the working directory.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
// The parent folder's index re-exports this folder, so its modules are imported by path.
import { resolveWorkflowsPath } from '../build.js';
import { describeUnknownImport, findUnknownImports } from '../workflow-imports.js';
import { reachableFiles } from './reachable.js';
import { unknownImportRule, unresolvedImportRule } from './rules.js';
import { scanSource } from './scan.js';
import { nonAsyncWorkflowFindings } from './workflow-exports.js';
import type { CheckFinding, CheckOptions, CheckResult } from './types.js';

/** Statically checks the workflow code reachable from a workflow entry module. */
export async function checkWorkflows(options: CheckOptions): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const entryFile = resolveWorkflowsPath(options.workflowsPath);
  const { files, unresolved } = await reachableFiles(entryFile);
  const rel = (f: string): string => {
    const r = path.relative(cwd, f);
    return r.startsWith('..') || path.isAbsolute(r) ? f : r;
  };
  const findings: CheckFinding[] = [];
  for (const u of unresolved) {
    const rule = unresolvedImportRule(u.text.replace(/ \(line \d+\)$/, ''));
    findings.push({
      rule: rule.rule,
      severity: rule.severity,
      file: rel(u.importer || entryFile),
      line: Number(/\(line (\d+)\)$/.exec(u.text)?.[1] ?? 1),
      column: 1,
      message: rule.message,
      hint: rule.hint,
      dependency: false,
    });
  }
  for (const u of await findUnknownImports(entryFile)) {
    const rule = unknownImportRule(describeUnknownImport(u));
    const file = u.file ? path.resolve(path.dirname(entryFile), u.file) : entryFile;
    const dependency = file.split(path.sep).includes('node_modules');
    findings.push({ ...rule, file: rel(file), line: u.line, column: 1, dependency });
  }
  for (const f of await nonAsyncWorkflowFindings(entryFile)) {
    findings.push({ ...f, file: rel(f.file), dependency: false });
  }
  for (const file of files) {
    const dependency = file.split(path.sep).includes('node_modules');
    const source = await readFile(file, 'utf8');
    for (const f of await scanSource(file, source)) {
      findings.push({
        ...f,
        file: rel(file),
        severity: dependency ? 'warning' : f.severity,
        dependency,
      });
    }
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    entry: rel(entryFile),
    files: files.map(rel),
    findings,
    errors,
    warnings: findings.length - errors,
  };
}
