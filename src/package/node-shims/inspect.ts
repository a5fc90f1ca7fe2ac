// `util.inspect` and `util.format` subsets for workflow code: a readable, deterministic rendering
// of values (no colours, no host-specific details). Runs inside the workflow sandbox.

export interface InspectOptions {
  /** Levels of nesting shown before `[Object]`. Default 2. */
  readonly depth?: number;
}

function key(k: string | symbol): string {
  if (typeof k === 'symbol') return `[${String(k)}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

function entries(items: string[], open: string, close: string): string {
  return items.length === 0 ? `${open}${close}` : `${open} ${items.join(', ')} ${close}`;
}

function primitive(value: unknown, nested: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return nested
        ? `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
        : value;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'function':
      return `[Function: ${(value as { name?: string }).name || '(anonymous)'}]`;
    default:
      return value === null ? 'null' : undefined;
  }
}

function render(value: unknown, depth: number, seen: Set<object>, nested: boolean): string {
  const p = primitive(value, nested);
  if (p !== undefined) return p;
  const o = value as object;
  if (seen.has(o)) return '[Circular *1]';
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
  if (o instanceof RegExp) return String(o);
  if (o instanceof Error) return o.stack ?? `${o.name}: ${o.message}`;
  if (depth < 0) {
    const ctor = (Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null)
      ?.constructor?.name;
    return `[${ctor || 'Object'}]`;
  }
  seen.add(o);
  try {
    const inner = (v: unknown): string => render(v, depth - 1, seen, true);
    if (Array.isArray(o)) return entries(o.map(inner), '[', ']');
    if (o instanceof Map)
      return `Map(${o.size}) ${entries(
        [...o].map(([k, v]) => `${inner(k)} => ${inner(v)}`),
        '{',
        '}',
      )}`;
    if (o instanceof Set) return `Set(${o.size}) ${entries([...o].map(inner), '{', '}')}`;
    const props = Reflect.ownKeys(o)
      .filter((k) => Object.prototype.propertyIsEnumerable.call(o, k))
      .map((k) => `${key(k)}: ${inner((o as Record<string | symbol, unknown>)[k])}`);
    const proto = Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null;
    const name = proto === null ? '[Object: null prototype]' : proto.constructor?.name;
    const body = entries(props, '{', '}');
    return name && name !== 'Object' ? `${name} ${body}` : body;
  } finally {
    seen.delete(o);
  }
}

/** Renders `value` for reading (strings nested in objects are quoted). */
export function inspect(value: unknown, options: InspectOptions = {}): string {
  return render(value, options.depth ?? 2, new Set(), true);
}

function formatOne(spec: string, arg: unknown): string {
  switch (spec) {
    case 's':
      return typeof arg === 'string'
        ? arg
        : typeof arg === 'object' && arg !== null
          ? inspect(arg, { depth: 1 })
          : String(arg);
    case 'd':
    case 'i': {
      if (typeof arg === 'bigint') return `${arg}n`;
      const n = Number(arg);
      return String(spec === 'i' ? Math.trunc(n) : n);
    }
    case 'f':
      return String(Number.parseFloat(String(arg)));
    case 'j':
      try {
        return JSON.stringify(arg);
      } catch {
        return '[Circular]';
      }
    default:
      return inspect(arg, { depth: spec === 'o' ? 4 : 2 });
  }
}

/** `util.format`: printf-like `%s %d %i %f %j %o %O %%`; extra arguments are appended. */
export function format(first?: unknown, ...args: unknown[]): string {
  let i = 0;
  let out: string;
  if (typeof first === 'string') {
    out = first.replace(/%([sdifjoO%])/g, (m, spec: string) => {
      if (spec === '%') return '%';
      if (i >= args.length) return m;
      return formatOne(spec, args[i++]);
    });
  } else {
    out = first === undefined && args.length === 0 ? '' : render(first, 2, new Set(), false);
  }
  for (; i < args.length; i++) out += ` ${render(args[i], 2, new Set(), false)}`;
  return out;
}
