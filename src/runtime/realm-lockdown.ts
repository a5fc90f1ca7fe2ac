/**
 * In-realm source (evaluated inside the bootstrap function, after REALM_BRIDGE_SOURCE) that
 * freezes the sandbox's built-in objects, so one run cannot change what another run sees.
 *
 * - `collectIntrinsics()` walks everything reachable from the global object (values, getters,
 *   setters, prototypes) plus the anonymous intrinsics (iterator prototypes, %TypedArray%,
 *   generator and async function constructors…) and the bootstrap's own classes.
 * - `snapshotOf()` records their properties before any workflow code runs; `changeSince()`
 *   names the first difference, so a package whose module-level code wrote to a built-in is
 *   refused at load (after its first evaluation) instead of behaving differently later.
 * - `hardenAll()` then freezes them. A few properties that code commonly shadows on its own
 *   objects (`this.name = …` in an Error subclass, `X.prototype.constructor = X`,
 *   `obj.toString = …`) become getter/setter pairs whose setter defines the property on the
 *   object assigned to, as assignment would if the prototype were not frozen (otherwise a
 *   frozen prototype's property makes such assignments fail). The Array and Promise
 *   prototypes are left as they are: V8 keeps its fast paths for array and promise methods
 *   only while their `constructor` and iterator properties are untouched data properties.
 *
 * Everything here uses functions captured before workflow code ran (no iteration protocol,
 * no prototype methods), since it also runs after the first run's module code.
 */
export const REALM_LOCKDOWN_SOURCE = String.raw`
  const isExtensible = Object.isExtensible;
  const LocalMap = Map;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const symbolDescription = getOwnPropertyDescriptor(Symbol.prototype, 'description').get;
  const push = (list, value) => defineProperty(list, list.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
  const keyName = (key) => (typeof key === 'symbol' ? '[' + apply(symbolDescription, key, []) + ']' : '.' + key);

  const anonymousIntrinsics = () => {
    const fnProto = (f) => getPrototypeOf(f);
    const it = (x) => getPrototypeOf(x);
    const list = [
      ['%ThrowTypeError%', getOwnPropertyDescriptor(Function.prototype, 'caller')?.get],
      ['%StrictArgumentsCallee%', getOwnPropertyDescriptor((function () { return arguments; })(), 'callee')?.get],
      ['%ArrayIteratorPrototype%', it([][Symbol.iterator]())],
      ['%MapIteratorPrototype%', it(new Map()[Symbol.iterator]())],
      ['%SetIteratorPrototype%', it(new Set()[Symbol.iterator]())],
      ['%StringIteratorPrototype%', it(''[Symbol.iterator]())],
      ['%RegExpStringIteratorPrototype%', it(/a/g[Symbol.matchAll](''))],
      ['%GeneratorFunction%', fnProto(function* () {}).constructor],
      ['%AsyncFunction%', fnProto(async function () {}).constructor],
      ['%AsyncGeneratorFunction%', fnProto(async function* () {}).constructor],
      ['%GeneratorPrototype%', it((function* () {})())],
      ['%AsyncGeneratorPrototype%', it((async function* () {})())],
      ['%TypedArray%', fnProto(Uint8Array)],
    ];
    if (typeof Intl === 'object' && typeof Intl.Segmenter === 'function') {
      const segments = new Intl.Segmenter().segment('');
      push(list, ['%SegmentsPrototype%', it(segments)]);
      push(list, ['%SegmentIteratorPrototype%', it(segments[Symbol.iterator]())]);
    }
    return list;
  };

  // Every object reachable from the roots, with a path naming where it was first found.
  const collectIntrinsics = (roots) => {
    const objects = [];
    const paths = [];
    const seen = new LocalMap();
    const visit = (v, path) => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || v === g) return;
      if (apply(mapGet, seen, [v]) !== undefined) return;
      apply(mapSet, seen, [v, path]);
      push(objects, v);
      push(paths, path);
    };
    for (let i = 0; i < roots.length; i++) visit(roots[i][1], roots[i][0]);
    for (let i = 0; i < objects.length; i++) {
      const o = objects[i];
      const keys = ownKeys(o);
      for (let k = 0; k < keys.length; k++) {
        const d = getOwnPropertyDescriptor(o, keys[k]);
        const path = paths[i] + keyName(keys[k]);
        if (hasOwn(d, 'value')) visit(d.value, path);
        else { visit(d.get, path + '<get>'); visit(d.set, path + '<set>'); }
      }
      visit(getPrototypeOf(o), paths[i] + '.__proto__');
    }
    return { objects, paths, seen };
  };

  // The given global bindings (the realm's own and the runtime's, never what a bundle's top
  // level added: walking a large user value would take as long as the value is big).
  const globalRoots = (keys) => {
    const roots = [];
    for (let k = 0; k < keys.length; k++) {
      const d = getOwnPropertyDescriptor(g, keys[k]);
      const name = typeof keys[k] === 'symbol' ? 'globalThis' + keyName(keys[k]) : keys[k];
      if (hasOwn(d, 'value')) push(roots, [name, d.value]);
      else { push(roots, [name + '<get>', d.get]); push(roots, [name + '<set>', d.set]); }
    }
    push(roots, ['globalThis.__proto__', getPrototypeOf(g)]);
    const anonymous = anonymousIntrinsics();
    for (let i = 0; i < anonymous.length; i++) push(roots, anonymous[i]);
    return roots;
  };

  // [proto, extensible, key, kind, a, b, flags, key, …] per object.
  const recordOf = (o) => {
    const r = [getPrototypeOf(o), isExtensible(o)];
    const keys = ownKeys(o);
    for (let k = 0; k < keys.length; k++) {
      const d = getOwnPropertyDescriptor(o, keys[k]);
      const flags = (hasOwn(d, 'writable') && d.writable ? 1 : 0) + (d.enumerable ? 2 : 0) + (d.configurable ? 4 : 0);
      if (hasOwn(d, 'value')) { push(r, keys[k]); push(r, 0); push(r, d.value); push(r, undefined); push(r, flags); }
      else { push(r, keys[k]); push(r, 1); push(r, d.get); push(r, d.set); push(r, flags); }
    }
    return r;
  };
  const same = (a, b) => a === b || (a !== a && b !== b);
  const snapshotOf = (objects) => {
    const snap = [];
    for (let i = 0; i < objects.length; i++) push(snap, recordOf(objects[i]));
    return snap;
  };
  // Names the first property of the snapshot's objects that differs now, or undefined.
  const changeSince = (objects, paths, snap) => {
    for (let i = 0; i < objects.length; i++) {
      const before = snap[i];
      const now = recordOf(objects[i]);
      if (before[0] !== now[0]) return paths[i] + ': its prototype was replaced';
      if (before[1] !== now[1]) return paths[i] + ': it was made non-extensible';
      for (let j = 2; j < before.length || j < now.length; j += 5) {
        if (j >= before.length) return paths[i] + keyName(now[j]) + ' was added';
        if (j >= now.length || before[j] !== now[j]) return paths[i] + keyName(before[j]) + ' was removed or redefined';
        if (!same(before[j + 1], now[j + 1]) || !same(before[j + 2], now[j + 2]) || !same(before[j + 3], now[j + 3]) || before[j + 4] !== now[j + 4]) {
          return paths[i] + keyName(before[j]) + ' was changed';
        }
      }
    }
    return undefined;
  };

  const tamedKeys = (o, isErrorProto) => {
    if (o === ObjectProto) return ['constructor', 'toString', 'valueOf', 'toLocaleString'];
    if (o === Function.prototype) return ['constructor', 'toString'];
    if (!isErrorProto) return [];
    const out = [];
    const keys = ownKeys(o);
    for (let k = 0; k < keys.length; k++) {
      const d = getOwnPropertyDescriptor(o, keys[k]);
      if (hasOwn(d, 'value') && (typeof d.value !== 'function' || keys[k] === 'constructor' || keys[k] === 'toString')) push(out, keys[k]);
    }
    return out;
  };
  const isErrorPrototype = (o) => {
    if (o === LocalError.prototype) return true;
    const c = getOwnPropertyDescriptor(o, 'constructor');
    if (c === undefined || !hasOwn(c, 'value') || typeof c.value !== 'function') return false;
    for (let p = getPrototypeOf(o); p !== null; p = getPrototypeOf(p)) if (p === LocalError.prototype) return true;
    return false;
  };
  // Turns writable data properties into accessors that let assignment shadow them (see above).
  const tame = (o, path, extra) => {
    const keys = tamedKeys(o, isErrorPrototype(o));
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const d = getOwnPropertyDescriptor(o, key);
      if (!d.writable || !d.configurable) continue;
      const value = d.value;
      const where = path + keyName(key);
      const get = { get [key]() { return value; } };
      const set = { set [key](v) {
        if (this === o) throw new LocalTypeError('Cannot assign to ' + where + ': built-in objects are frozen in workflow code');
        if (this === null || (typeof this !== 'object' && typeof this !== 'function')) return;
        defineProperty(this, key, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true });
      } };
      const accessor = { get: getOwnPropertyDescriptor(get, key).get, set: getOwnPropertyDescriptor(set, key).set };
      defineProperty(o, key, { __proto__: null, get: accessor.get, set: accessor.set, enumerable: d.enumerable, configurable: false });
      push(extra, accessor.get);
      push(extra, accessor.set);
    }
  };

  // Freezes the collected objects and fixes the global bindings that existed at collection.
  const hardenAll = (objects, paths, globalKeys) => {
    const extra = [];
    for (let i = 0; i < objects.length; i++) tame(objects[i], paths[i], extra);
    for (let i = 0; i < extra.length; i++) freeze(extra[i]);
    for (let i = 0; i < objects.length; i++) freeze(objects[i]);
    for (let k = 0; k < globalKeys.length; k++) {
      const d = getOwnPropertyDescriptor(g, globalKeys[k]);
      if (d === undefined || !d.configurable) continue;
      if (hasOwn(d, 'value')) defineProperty(g, globalKeys[k], { __proto__: null, value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
      else defineProperty(g, globalKeys[k], { __proto__: null, get: d.get, set: d.set, enumerable: d.enumerable, configurable: false });
    }
  };
`;
