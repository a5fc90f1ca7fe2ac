// Scanning one file's source: parse it (oxc-parser, loaded on first use), walk the value
// code (types are skipped) and report each rule's findings with their line and column.
import type * as OxcParser from 'oxc-parser';
import {
  declaredNames,
  forEachChild,
  globalMember,
  globalObjectName,
  isNode,
  isReference,
  lineStarts,
  literalString,
  position,
  TS_VALUE_WRAPPERS,
  type Node,
} from './ast.js';
import {
  CRYPTO_SUBTLE_RULE,
  dynamicImportRule,
  GLOBALS,
  globalRealmTimeRule,
  importRule,
  INTL_FORMATTER_RULE,
  LOCALE_METHODS,
  localeMethodRule,
  parseErrorRule,
  sharedGlobalStateRule,
} from './rules.js';
import type { CheckFinding, RuleFinding } from './types.js';

/** What the node checks share while one file is scanned. */
interface Scan {
  /** Records a finding of `rule` at a source offset. */
  readonly add: (rule: RuleFinding, at: number) => void;
  /** False for a name the file declares somewhere (it shadows the global). */
  readonly isGlobal: (name: string) => boolean;
}

let parser: typeof OxcParser | undefined;

/** Scans one file's source; returns its findings (severity not yet adjusted for dependencies). */
export async function scanSource(
  fileName: string,
  source: string,
): Promise<Omit<CheckFinding, 'dependency'>[]> {
  // Loaded on first use: the parser is a native module only `aion check` needs.
  parser ??= await import('oxc-parser');
  const parsed = parser.parseSync(fileName, source);
  const starts = lineStarts(source);
  const findings: Omit<CheckFinding, 'dependency'>[] = [];
  const add = (rule: RuleFinding, at: number): void => {
    findings.push({
      rule: rule.rule,
      severity: rule.severity,
      file: fileName,
      ...position(starts, at),
      message: rule.message,
      hint: rule.hint,
    });
  };
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    add(parseErrorRule(first.message), first.labels[0]?.start ?? 0);
    return findings;
  }
  const program = parsed.program as unknown as Node;
  const declared = declaredNames(program);
  const scan: Scan = { add, isGlobal: (name) => !declared.has(name) };
  const visit = (node: Node, key: string, parent: Node | undefined): void => {
    if (node.type.startsWith('TS') && !TS_VALUE_WRAPPERS.has(node.type)) {
      // Types vanish at build time; enums and namespaces carry values, keep walking those.
      if (node.type !== 'TSEnumDeclaration' && node.type !== 'TSModuleDeclaration') return;
    }
    if (!checkNode(scan, node, key, parent)) return;
    forEachChild(node, (child, childKey, p) => {
      const wrapper = p.type.startsWith('TS') && TS_VALUE_WRAPPERS.has(p.type);
      if (wrapper && childKey !== 'expression') return;
      visit(child, childKey, p);
    });
  };
  visit(program, '', undefined);
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

/** Checks one node; true when the walk continues into its children. */
function checkNode(scan: Scan, node: Node, key: string, parent: Node | undefined): boolean {
  switch (node.type) {
    case 'ImportDeclaration':
      checkImportDeclaration(scan, node);
      return false;
    case 'ExportNamedDeclaration':
    case 'ExportAllDeclaration':
      if (node.exportKind !== 'type' && isNode(node.source)) {
        const rule = importRule(literalString(node.source) ?? '');
        if (rule) scan.add(rule, node.source.start);
      }
      return true;
    case 'ImportExpression':
      checkSpecifier(scan, node.source, 'import()', node.start);
      return true;
    case 'CallExpression':
      checkCall(scan, node);
      return true;
    case 'AssignmentExpression':
      checkAssignment(scan, node);
      return true;
    case 'MemberExpression':
      return checkMember(scan, node, key, parent);
    case 'NewExpression':
      checkNew(scan, node);
      return true;
    case 'UnaryExpression':
      // `typeof process !== 'undefined'` is the standard feature test: not a use.
      return !(node.operator === 'typeof' && (node.argument as Node).type === 'Identifier');
    case 'Identifier': {
      const name = node.name as string;
      if (parent && isReference(parent, key) && scan.isGlobal(name)) {
        const rule = GLOBALS.get(name);
        if (rule) scan.add(rule, node.start);
      }
      return false;
    }
    default:
      return true;
  }
}

function checkImportDeclaration(scan: Scan, node: Node): void {
  if (node.importKind === 'type') return;
  const specifiers = node.specifiers as Node[];
  const allTypes =
    specifiers.length > 0 &&
    specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type');
  const rule = allTypes ? undefined : importRule(literalString(node.source) ?? '');
  if (rule) scan.add(rule, (node.source as Node).start);
}

/** The specifier of `import(…)` / `require(…)`: computed ones cannot be bundled. */
function checkSpecifier(
  scan: Scan,
  specifier: unknown,
  call: 'import()' | 'require()',
  at: number,
): void {
  const spec = literalString(specifier);
  if (spec === undefined) {
    scan.add(dynamicImportRule(call), at);
  } else {
    const rule = importRule(spec);
    if (rule) scan.add(rule, at);
  }
}

function checkCall(scan: Scan, node: Node): void {
  const callee = node.callee as Node;
  if (callee.type === 'Identifier' && callee.name === 'require' && scan.isGlobal('require')) {
    checkSpecifier(scan, (node.arguments as Node[])[0], 'require()', node.start);
  }
  if (callee.type === 'MemberExpression' && callee.computed !== true) {
    const method = (callee.property as Node).name as string;
    if (LOCALE_METHODS.has(method)) {
      scan.add(localeMethodRule(method), (callee.property as Node).start);
    }
  }
}

function checkAssignment(scan: Scan, node: Node): void {
  const target = node.left as Node;
  const name = globalMember(target);
  if (name !== undefined) {
    scan.add(sharedGlobalStateRule(`${globalObjectName(target)}.${name}`), target.start);
  }
}

/** `globalThis.X` uses and `crypto.subtle`; false (no walk inside) for global members. */
function checkMember(scan: Scan, node: Node, key: string, parent: Node | undefined): boolean {
  if (isNodeEnv(scan, node)) return false; // replaced by the build (see NODE_ENV_DEFINE)
  const name = globalMember(node);
  if (name !== undefined) {
    const rule = GLOBALS.get(name);
    if (rule) {
      scan.add(rule, node.start);
    } else if (
      (name === 'Date' || name === 'Math') &&
      parent?.type === 'MemberExpression' &&
      key === 'object'
    ) {
      scan.add(globalRealmTimeRule(globalObjectName(node), name), node.start);
    }
    return false;
  }
  const object = node.object as Node;
  if (
    object.type === 'Identifier' &&
    object.name === 'crypto' &&
    scan.isGlobal('crypto') &&
    node.computed !== true &&
    (node.property as Node).name === 'subtle'
  ) {
    scan.add(CRYPTO_SUBTLE_RULE, node.start);
  }
  return true;
}

/** `process.env.NODE_ENV`, which the build replaces with a constant, as Temporal's bundler does. */
function isNodeEnv(scan: Scan, node: Node): boolean {
  const env = node.object as Node;
  const process = env.object as Node | undefined;
  return (
    node.computed !== true &&
    (node.property as Node).name === 'NODE_ENV' &&
    env.type === 'MemberExpression' &&
    env.computed !== true &&
    (env.property as Node).name === 'env' &&
    process?.type === 'Identifier' &&
    process.name === 'process' &&
    scan.isGlobal('process')
  );
}

function checkNew(scan: Scan, node: Node): void {
  const callee = node.callee as Node;
  if (
    callee.type === 'MemberExpression' &&
    (callee.object as Node).type === 'Identifier' &&
    (callee.object as Node).name === 'Intl' &&
    scan.isGlobal('Intl')
  ) {
    scan.add(INTL_FORMATTER_RULE, node.start);
  }
}
