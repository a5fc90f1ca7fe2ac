// The little ESTree knowledge the scan needs (oxc-parser's output): node shapes, walking
// children, names a file declares, which identifiers are references, and source positions.
import { GLOBAL_OBJECTS } from './rules.js';

// Minimal ESTree shapes (oxc-parser produces ESTree with TypeScript extensions).
export interface Node {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** TypeScript-only wrappers whose `expression` is a value; every other TS* node is a type. */
export const TS_VALUE_WRAPPERS = new Set([
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
]);

/** Names bound by a binding pattern. */
function patternNames(node: unknown, out: Set<string>): void {
  if (!isNode(node)) return;
  switch (node.type) {
    case 'Identifier':
      out.add(node.name as string);
      break;
    case 'ObjectPattern':
      for (const p of node.properties as Node[]) {
        patternNames(p.type === 'RestElement' ? p.argument : p.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const e of node.elements as (Node | null)[]) patternNames(e, out);
      break;
    case 'AssignmentPattern':
      patternNames(node.left, out);
      break;
    case 'RestElement':
      patternNames(node.argument, out);
      break;
    case 'TSParameterProperty':
      patternNames(node.parameter, out);
      break;
  }
}

/** Every name the file declares anywhere (a local binding shadows the global of that name). */
export function declaredNames(program: Node): Set<string> {
  const out = new Set<string>();
  const visit = (node: Node): void => {
    switch (node.type) {
      case 'VariableDeclarator':
        patternNames(node.id, out);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (isNode(node.id)) out.add(node.id.name as string);
        for (const p of node.params as Node[]) patternNames(p, out);
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        if (isNode(node.id)) out.add(node.id.name as string);
        break;
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
        patternNames(node.local, out);
        break;
      case 'CatchClause':
        patternNames(node.param, out);
        break;
    }
    forEachChild(node, visit);
  };
  visit(program);
  return out;
}

export function forEachChild(
  node: Node,
  visit: (child: Node, key: string, parent: Node) => void,
): void {
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item, key, node);
    } else if (isNode(value)) {
      visit(value, key, node);
    }
  }
}

/** Is this Identifier, as `key` of `parent`, a reference to a variable (not a key or binding)? */
export function isReference(parent: Node, key: string): boolean {
  switch (parent.type) {
    case 'MemberExpression':
      return key === 'object' || parent.computed === true;
    case 'Property':
      return key === 'value' || parent.computed === true;
    case 'MethodDefinition':
    case 'PropertyDefinition':
    case 'AccessorProperty':
      return key !== 'key' || parent.computed === true;
    case 'VariableDeclarator':
      return key === 'init';
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return key === 'body';
    case 'ClassDeclaration':
    case 'ClassExpression':
      return key === 'superClass';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
      return false;
    case 'CatchClause':
      return key === 'body';
    default:
      return true;
  }
}

/** `globalThis.X` / `window.X` / … → X; otherwise undefined. */
export function globalMember(node: Node): string | undefined {
  if (node.type !== 'MemberExpression' || node.computed === true) return undefined;
  const object = unwrap(node.object as Node);
  const property = node.property as Node;
  if (object.type === 'Identifier' && GLOBAL_OBJECTS.has(object.name as string)) {
    return property.name as string;
  }
  return undefined;
}

/** `(x as T)`, `x!`, `(x)` → x. */
function unwrap(node: Node): Node {
  let n = node;
  while (TS_VALUE_WRAPPERS.has(n.type) || n.type === 'ParenthesizedExpression') {
    n = n.expression as Node;
  }
  return n;
}

export function globalObjectName(node: Node): string {
  return unwrap(node.object as Node).name as string;
}

/** Source text a module specifier literal holds, if it is a string literal. */
export function literalString(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (
    node.type === 'TemplateLiteral' &&
    (node.expressions as unknown[]).length === 0 &&
    (node.quasis as Node[]).length === 1
  ) {
    return ((node.quasis as Node[])[0]!.value as { cooked: string }).cooked;
  }
  return undefined;
}

export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function position(
  starts: readonly number[],
  offset: number,
): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}
