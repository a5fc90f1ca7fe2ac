// The exports of a package's entry module, as the user section (run once per run) makes them.
// esbuild's CommonJS form of an ES module entry gives it an exports object with a getter per
// export (live bindings), copied into a second object for `module.exports`. A run's runtime
// reads the exports once, right after the module body ran (workflow-exports.ts), so neither
// the copy nor the getters serve it: each run paid for a getter closure, a property
// definition and a dictionary-mode object per export (~1.6 KiB for a package of seven).

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
/** `module.exports = __toCommonJS(entry_exports);` at the top level of the bundle. */
const TO_COMMON_JS = new RegExp(String.raw`^module\.exports = __toCommonJS\((${IDENT})\);$`, 'm');
/** One line of the entry's `__export(entry_exports, { ... })`: `  name: () => binding,`. */
const EXPORT_LINE = new RegExp(String.raw`^  (${IDENT}|"(?:[^"\\]|\\.)*"): \(\) => (${IDENT}),?$`);

/**
 * The entry's exports object serves as `module.exports` as is (no copy: the copy only added a
 * non-enumerable `__esModule` marker, which nothing in the sandbox reads). Only the top-level
 * assignment of the entry is rewritten.
 */
export function directExports(userCode: string): string {
  return userCode.replace(TO_COMMON_JS, 'module.exports = $1;');
}

/**
 * As {@link directExports}, and the entry's exports become plain properties assigned once the
 * module body has run (every binding initialised), instead of getters defined before it. Left
 * as getters when the bundle reads the exports object anywhere else (a module importing the
 * entry itself, `export *` from a CommonJS module): there, the object is read while the body
 * runs, and the live bindings matter.
 */
export function plainExports(userCode: string): string {
  const entry = TO_COMMON_JS.exec(userCode)?.[1];
  if (entry === undefined) return userCode;
  const direct = directExports(userCode);
  const head = `__export(${entry}, {\n`;
  const start = direct.indexOf(head);
  const end = start < 0 ? -1 : direct.indexOf('\n});\n', start);
  if (end < 0) return direct;
  const assignments: string[] = [];
  for (const line of direct.slice(start + head.length, end).split('\n')) {
    const m = EXPORT_LINE.exec(line);
    if (!m) return direct;
    const key = m[1]!;
    assignments.push(
      key.startsWith('"') ? `${entry}[${key}] = ${m[2]};` : `${entry}.${key} = ${m[2]};`,
    );
  }
  const rest = direct.slice(0, start) + direct.slice(end + '\n});\n'.length);
  // Declared, then assigned to module.exports: any other use reads the object mid-body.
  const uses = rest.match(new RegExp(String.raw`(?<![\w$.])${escape(entry)}(?![\w$])`, 'g'));
  if (uses?.length !== 2) return direct;
  return `${rest}\n${assignments.join('\n')}\n`;
}

function escape(name: string): string {
  return name.replace(/\$/g, '\\$');
}
