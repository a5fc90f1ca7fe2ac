// Import boundaries of src/: a folder is entered only through its index.ts, and no import
// cycle exists between modules (type-only imports included). Used by eslint.config.js.
import fs from 'node:fs';
import path from 'node:path';

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** The .ts file a relative specifier names ('./x.js' → x.ts), or undefined. */
function resolve(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, path.join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && fs.existsSync(c));
}

function isAncestorOrSame(dir, of) {
  const rel = path.relative(dir, of);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The files another folder may be entered through: `index.ts`, and `internal.ts` where the
 * index is a public package entry (`aion/activity`…) and the rest of the package needs more.
 */
const DOORS = new Set(['index.ts', 'internal.ts']);

/** An import that enters another folder (not enclosing, not enclosed) names its door. */
const indexOnly = {
  meta: {
    type: 'problem',
    docs: { description: 'Other folders are imported only through their index.ts' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(file, spec);
      if (!target) return;
      const targetDir = path.dirname(target);
      const ownDir = path.dirname(file);
      // Own folder, an enclosing folder, or one of the folder's own subfolders: one unit.
      if (isAncestorOrSame(targetDir, ownDir) || isAncestorOrSame(ownDir, targetDir)) return;
      if (DOORS.has(path.basename(target))) return;
      context.report({
        node: node.source,
        message: `Import ${spec} reaches into another folder; import its index.ts instead (${path.relative(process.cwd(), targetDir)}/index.ts).`,
      });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) =>
        node.source?.type === 'Literal' ? check({ source: node.source }) : undefined,
    };
  },
};

/** The import graph of every .ts file under a root (built once per lint run). */
const graphs = new Map();
function graphOf(root) {
  let graph = graphs.get(root);
  if (graph) return graph;
  graph = new Map();
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        const deps = new Set();
        for (const m of text.matchAll(SPECIFIER)) {
          const target = resolve(p, m[1]);
          if (target) deps.add(target);
        }
        graph.set(p, deps);
      }
    }
  };
  walk(root);
  graphs.set(root, graph);
  return graph;
}

/** A path from `from` back to `to` in the graph, if there is one. */
function pathBack(graph, from, to) {
  const seen = new Set([from]);
  const queue = [[from]];
  while (queue.length > 0) {
    const trail = queue.shift();
    for (const next of graph.get(trail[trail.length - 1]) ?? []) {
      if (next === to) return [...trail, next];
      if (!seen.has(next)) {
        seen.add(next);
        queue.push([...trail, next]);
      }
    }
  }
  return undefined;
}

/** The top-level folder of src/ a file belongs to ('' for files directly in src/). */
function domainOf(root, file) {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length > 1 ? rel[0] : '';
}

/** The graph between top-level folders of src/, from the module graph. */
const domainGraphs = new Map();
function domainGraphOf(root) {
  let graph = domainGraphs.get(root);
  if (graph) return graph;
  graph = new Map();
  for (const [file, deps] of graphOf(root)) {
    const from = domainOf(root, file);
    if (from === '') continue;
    const edges = graph.get(from) ?? new Set();
    for (const dep of deps) {
      const to = domainOf(root, dep);
      if (to !== '' && to !== from) edges.add(to);
    }
    graph.set(from, edges);
  }
  domainGraphs.set(root, graph);
  return graph;
}

/**
 * No module imports (even for types only) something that imports it back, and no top-level
 * folder of src/ depends on one that depends back on it.
 */
const noCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between modules, type-only imports included' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const root = path.join(context.cwd, 'src');
    if (!isAncestorOrSame(root, file) || file.endsWith('.test.ts')) return {};
    const graph = graphOf(root);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolve(file, spec);
      if (!target || target === file) return;
      const back = pathBack(graph, target, file);
      if (back) {
        const shown = back.map((p) => path.relative(root, p)).join(' → ');
        context.report({
          node: node.source,
          message: `Import cycle: ${path.relative(root, file)} → ${shown}`,
        });
        return;
      }
      const from = domainOf(root, file);
      const to = domainOf(root, target);
      if (from === '' || to === '' || from === to) return;
      const folderBack = pathBack(domainGraphOf(root), to, from);
      if (folderBack) {
        context.report({
          node: node.source,
          message: `Folder cycle: src/${from} → ${folderBack.map((d) => `src/${d}`).join(' → ')} (type-only imports count too)`,
        });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default { rules: { 'index-only': indexOnly, 'no-cycle': noCycle } };
