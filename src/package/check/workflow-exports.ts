// The `non-async-workflow` warning: every exported function of the workflow module is a
// workflow type (reserved exports aside), so an exported helper or a non-async function is
// most likely a mistake. Follows relative re-exports (`export * from './x'`) from the entry.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as OxcParser from 'oxc-parser';
import { isNode, lineStarts, literalString, position, type Node } from './ast.js';
import { nonAsyncWorkflowRule } from './rules.js';
import type { CheckFinding } from './types.js';
// The parent folder's index re-exports this folder, so its modules are imported by path.
import { RESERVED_EXPORTS } from '../deploy-check.js';

let parser: typeof OxcParser | undefined;

const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
]);

/** A relative module specifier resolved to a source file, as TypeScript projects write them. */
function resolveRelative(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.[cm]?js$/, '');
  const candidates = [base, ...['.ts', '.tsx', '.mts', '.js', '.mjs'].map((e) => stem + e)];
  candidates.push(...['index.ts', 'index.js'].map((i) => path.join(base, i)));
  return candidates.find((c) => existsSync(c) && !c.endsWith(path.sep));
}

/** Local function declarations and `const f = () => …` of a module body, by name. */
function localFunctions(body: readonly Node[]): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const stmt of body) {
    const decl =
      stmt.type === 'ExportNamedDeclaration' && isNode(stmt.declaration) ? stmt.declaration : stmt;
    if (decl.type === 'FunctionDeclaration' && isNode(decl.id))
      out.set(decl.id.name as string, decl);
    if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations as Node[]) {
        if (
          isNode(d.id) &&
          d.id.type === 'Identifier' &&
          isNode(d.init) &&
          FUNCTION_TYPES.has(d.init.type)
        )
          out.set(d.id.name as string, d.init);
      }
    }
  }
  return out;
}

/** The exported name → function node pairs of one module, and the modules it re-exports. */
function exportedFunctions(body: readonly Node[]): { fns: [string, Node][]; reexports: string[] } {
  const locals = localFunctions(body);
  const fns: [string, Node][] = [];
  const reexports: string[] = [];
  for (const stmt of body) {
    if (
      stmt.type === 'ExportAllDeclaration' &&
      stmt.exported == null &&
      stmt.exportKind !== 'type'
    ) {
      const spec = literalString(stmt.source);
      if (spec !== undefined) reexports.push(spec);
    }
    if (stmt.type !== 'ExportNamedDeclaration' || stmt.exportKind === 'type') continue;
    if (isNode(stmt.declaration)) {
      const decl = stmt.declaration;
      if (decl.type === 'FunctionDeclaration' && isNode(decl.id))
        fns.push([decl.id.name as string, decl]);
      if (decl.type === 'VariableDeclaration') {
        for (const d of decl.declarations as Node[]) {
          if (
            isNode(d.id) &&
            d.id.type === 'Identifier' &&
            locals.get(d.id.name as string) === d.init
          )
            fns.push([d.id.name as string, d.init as Node]);
        }
      }
    } else if (!isNode(stmt.source)) {
      for (const s of stmt.specifiers as Node[]) {
        const local = locals.get((s.local as Node).name as string);
        const exported = (s.exported as Node).name ?? literalString(s.exported);
        if (local && typeof exported === 'string') fns.push([exported, local]);
      }
    }
  }
  return { fns, reexports };
}

/** `non-async-workflow` warnings for the entry module and the modules it re-exports wholesale. */
export async function nonAsyncWorkflowFindings(
  entryFile: string,
): Promise<Omit<CheckFinding, 'dependency'>[]> {
  parser ??= await import('oxc-parser');
  const findings: Omit<CheckFinding, 'dependency'>[] = [];
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file) || file.split(path.sep).includes('node_modules')) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const parsed = parser!.parseSync(file, source);
    if (parsed.errors.length > 0) return; // the scan reports parse errors
    const { fns, reexports } = exportedFunctions(
      (parsed.program as unknown as Node & { body: Node[] }).body,
    );
    const starts = lineStarts(source);
    for (const [name, fn] of fns) {
      if (RESERVED_EXPORTS.includes(name) || fn.async === true) continue;
      const rule = nonAsyncWorkflowRule(name);
      findings.push({ ...rule, file, ...position(starts, fn.start) });
    }
    for (const spec of reexports) {
      const target = resolveRelative(file, spec);
      if (target !== undefined) await visit(target);
    }
  };
  await visit(entryFile);
  return findings;
}
