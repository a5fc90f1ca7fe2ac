// Deep strict equality as `util.isDeepStrictEqual` and `assert.deepStrictEqual` define it, for
// the values workflow code compares: primitives (Object.is), arrays, plain objects and class
// instances (same prototype, own enumerable keys), Date, RegExp, Map, Set, typed arrays and
// errors. Runs inside the workflow sandbox: pure, no host objects.

type Seen = Map<object, object>;

function sameTag(a: object, b: object): boolean {
  return (
    Object.prototype.toString.call(a) === Object.prototype.toString.call(b) &&
    Object.getPrototypeOf(a) === Object.getPrototypeOf(b)
  );
}

function ownKeys(o: object): (string | symbol)[] {
  const keys: (string | symbol)[] = Object.keys(o);
  for (const s of Object.getOwnPropertySymbols(o)) {
    if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
  }
  return keys;
}

function equalKeys(a: object, b: object, seen: Seen): boolean {
  const ka = ownKeys(a);
  const kb = ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (
      !equal(
        (a as Record<string | symbol, unknown>)[k],
        (b as Record<string | symbol, unknown>)[k],
        seen,
      )
    )
      return false;
  }
  return true;
}

function equalSets(a: Set<unknown>, b: Set<unknown>, seen: Seen): boolean {
  if (a.size !== b.size) return false;
  const rest = [...b].filter((v) => !a.has(v));
  for (const v of a) {
    if (b.has(v)) continue;
    if (typeof v !== 'object' || v === null) return false;
    const i = rest.findIndex((w) => equal(v, w, seen));
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

function equalMaps(a: Map<unknown, unknown>, b: Map<unknown, unknown>, seen: Seen): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (b.has(k)) {
      if (!equal(v, b.get(k), seen)) return false;
      continue;
    }
    if (typeof k !== 'object' || k === null) return false;
    let found = false;
    for (const [k2, v2] of b) {
      if (!a.has(k2) && equal(k, k2, seen) && equal(v, v2, seen)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** Compares two objects of the same kind (prototype and tag already equal). */
function equalObjects(a: object, b: object, seen: Seen): boolean {
  if (a instanceof Date)
    return Object.is(a.getTime(), (b as Date).getTime()) && equalKeys(a, b, seen);
  if (a instanceof RegExp) {
    const r = b as RegExp;
    return a.source === r.source && a.flags === r.flags && a.lastIndex === r.lastIndex;
  }
  if (a instanceof Error) {
    const e = b as Error;
    if (a.message !== e.message || a.name !== e.name) return false;
  }
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Set && !equalSets(a, b as Set<unknown>, seen)) return false;
  if (a instanceof Map && !equalMaps(a, b as Map<unknown, unknown>, seen)) return false;
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  return equalKeys(a, b, seen);
}

function equal(a: unknown, b: unknown, seen: Seen): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!sameTag(a, b)) return false;
  // Cycles: a pair already under comparison is assumed equal (as Node does).
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  try {
    return equalObjects(a, b, seen);
  } finally {
    seen.delete(a);
  }
}

/** True when `a` and `b` are deeply and strictly equal (Node's `util.isDeepStrictEqual`). */
export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, new Map());
}
