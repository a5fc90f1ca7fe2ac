import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Host objects the sandbox realm needs (text encoding, URL parsing, async context). They are
 * handed to the bootstrap once and kept in its closure: workflow code only ever sees the
 * in-realm wrappers of {@link REALM_BRIDGE_SOURCE}, never these objects or their functions
 * (a host function's `constructor` is the host's `Function`, which compiles code outside the
 * sandbox).
 */
export function hostCapabilities(
  logTap?: (level: string, message: string, at: number) => void,
): Record<string, unknown> {
  const caps: Record<string, unknown> = {
    AsyncLocalStorage,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
  };
  if (logTap) caps.logTap = logTap;
  return caps;
}

/**
 * In-realm wrappers over the host capabilities (evaluated inside the bootstrap function, where
 * `g` is the context's global and `host` the object above). Only primitives cross from host
 * to realm: strings and numbers are returned, bytes are copied into the realm's own
 * `Uint8Array`, host errors are re-created as the realm's errors, host iterators are drained
 * into realm arrays. Host code is only ever handed primitives, realm byte arrays and
 * null-prototype option bags built here. The code avoids anything workflow code could
 * intercept (iteration protocols, spread, prototype methods): it uses functions captured
 * before any workflow code ran.
 */
export const REALM_BRIDGE_SOURCE = String.raw`
  const ObjectProto = Object.prototype;
  const { defineProperty, freeze, getPrototypeOf, getOwnPropertyDescriptor } = Object;
  const { apply, construct, ownKeys } = Reflect;
  const isArray = Array.isArray;
  const hasOwn = Object.hasOwn;
  const isView = ArrayBuffer.isView;
  const LocalUint8Array = Uint8Array;
  const LocalError = Error;
  const LocalTypeError = TypeError;
  const LocalRangeError = RangeError;
  const LocalSyntaxError = SyntaxError;
  const abByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;
  const arrayValues = Array.prototype.values;

  // True for primitives and for objects of this realm (their chain reaches this Object.prototype).
  const isLocal = (v) => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return true;
    let p = v;
    for (let depth = 0; p !== null && depth < 1000; depth++) {
      if (p === ObjectProto) return true;
      p = getPrototypeOf(p);
    }
    return getPrototypeOf(v) === null;
  };

  // A value thrown by host code becomes an error of this realm (same class name, message, code).
  const adopt = (e) => {
    if (isLocal(e)) return e;
    let name = 'Error';
    let message = '';
    let code;
    try { name = '' + e.name; } catch { /* keep the default */ }
    try { message = '' + e.message; } catch { /* keep the default */ }
    try { if (typeof e.code === 'string') code = e.code; } catch { /* no code */ }
    const C = name === 'TypeError' ? LocalTypeError : name === 'RangeError' ? LocalRangeError
      : name === 'SyntaxError' ? LocalSyntaxError : LocalError;
    const out = new C(message);
    if (code !== undefined) defineProperty(out, 'code', { __proto__: null, value: code, writable: true, enumerable: true, configurable: true });
    return out;
  };
  const hostCall = (fn, self, args) => {
    try { return apply(fn, self, args); } catch (e) { throw adopt(e); }
  };
  const hostNew = (C, args) => {
    try { return construct(C, args); } catch (e) { throw adopt(e); }
  };
  const hostMethod = (C, name) => getOwnPropertyDescriptor(C.prototype, name).value;
  const hostGetter = (C, name) => getOwnPropertyDescriptor(C.prototype, name).get;
  const hostSetter = (C, name) => getOwnPropertyDescriptor(C.prototype, name).set;
  // Strings from a host array (getAll, entries): a realm array, read by index on the host side.
  const stringsOf = (hostArray) => {
    const out = [];
    const n = hostArray.length;
    for (let i = 0; i < n; i++) defineProperty(out, i, { __proto__: null, value: '' + hostArray[i], writable: true, enumerable: true, configurable: true });
    return out;
  };
  const toBytes = (input) => {
    if (input === undefined || isView(input)) return input;
    try { apply(abByteLength, input, []); return input; } catch { /* not an ArrayBuffer */ }
    throw new LocalTypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
  };

  // AsyncLocalStorage (what cancellation scopes need: run and getStore).
  const HostALS = host.AsyncLocalStorage;
  const alsRun = hostMethod(HostALS, 'run');
  const alsGetStore = hostMethod(HostALS, 'getStore');
  class AsyncLocalStorage {
    #als = hostNew(HostALS, []);
    run(store, fn, ...args) {
      if (typeof fn !== 'function') throw new LocalTypeError('AsyncLocalStorage.run needs a function');
      // The host calls this strict realm arrow, never workflow code directly.
      return hostCall(alsRun, this.#als, [store, () => apply(fn, undefined, args)]);
    }
    getStore() { return hostCall(alsGetStore, this.#als, []); }
  }

  const HostTE = host.TextEncoder;
  const hostEncoder = hostNew(HostTE, []);
  const teEncode = hostMethod(HostTE, 'encode');
  const teEncodeInto = hostMethod(HostTE, 'encodeInto');
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return new LocalUint8Array(hostCall(teEncode, hostEncoder, ['' + input])); }
    encodeInto(source, destination) {
      if (!(destination instanceof LocalUint8Array)) throw new LocalTypeError('The "destination" argument must be a Uint8Array');
      const r = hostCall(teEncodeInto, hostEncoder, ['' + source, destination]);
      return { read: r.read, written: r.written };
    }
  }

  const HostTD = host.TextDecoder;
  const tdDecode = hostMethod(HostTD, 'decode');
  const tdEncoding = hostGetter(HostTD, 'encoding');
  const tdFatal = hostGetter(HostTD, 'fatal');
  const tdIgnoreBOM = hostGetter(HostTD, 'ignoreBOM');
  class TextDecoder {
    #d;
    constructor(label = 'utf-8', options = undefined) {
      const o = options ?? {};
      this.#d = hostNew(HostTD, ['' + label, { __proto__: null, fatal: !!o.fatal, ignoreBOM: !!o.ignoreBOM }]);
    }
    get encoding() { return '' + hostCall(tdEncoding, this.#d, []); }
    get fatal() { return !!hostCall(tdFatal, this.#d, []); }
    get ignoreBOM() { return !!hostCall(tdIgnoreBOM, this.#d, []); }
    decode(input = undefined, options = undefined) {
      const stream = !!(options ?? {}).stream;
      return '' + hostCall(tdDecode, this.#d, [toBytes(input), { __proto__: null, stream }]);
    }
  }

  const HostUSP = host.URLSearchParams;
  const usp = {
    append: hostMethod(HostUSP, 'append'), delete: hostMethod(HostUSP, 'delete'),
    get: hostMethod(HostUSP, 'get'), getAll: hostMethod(HostUSP, 'getAll'),
    has: hostMethod(HostUSP, 'has'), set: hostMethod(HostUSP, 'set'), sort: hostMethod(HostUSP, 'sort'),
    toString: hostMethod(HostUSP, 'toString'), entries: hostMethod(HostUSP, 'entries'),
  };
  const uspSize = getOwnPropertyDescriptor(HostUSP.prototype, 'size')?.get;
  const WRAP = freeze({ __proto__: null });
  let wrapping;
  const nameValue = (name, value, n) => (n < 2 || value === undefined ? ['' + name] : ['' + name, '' + value]);
  class URLSearchParams {
    #p;
    constructor(init = undefined) {
      if (init === WRAP) { this.#p = wrapping; return; }
      if (init instanceof URLSearchParams) init = init.toString();
      if (init === undefined || init === null || typeof init !== 'object') {
        this.#p = hostNew(HostUSP, init === undefined ? [] : ['' + init]);
        return;
      }
      const pairs = typeof init[Symbol.iterator] === 'function' ? Array.from(init, (pair) => Array.from(pair)) : Object.keys(init).map((k) => [k, init[k]]);
      const p = hostNew(HostUSP, []);
      for (let i = 0; i < pairs.length; i++) {
        if (pairs[i].length !== 2) throw new LocalTypeError('Each query pair must be an iterable [name, value] tuple');
        hostCall(usp.append, p, ['' + pairs[i][0], '' + pairs[i][1]]);
      }
      this.#p = p;
    }
    append(name, value) { hostCall(usp.append, this.#p, ['' + name, '' + value]); }
    delete(name, value = undefined) { hostCall(usp.delete, this.#p, nameValue(name, value, arguments.length)); }
    get(name) { const v = hostCall(usp.get, this.#p, ['' + name]); return v === null ? null : '' + v; }
    getAll(name) { return stringsOf(hostCall(usp.getAll, this.#p, ['' + name])); }
    has(name, value = undefined) { return !!hostCall(usp.has, this.#p, nameValue(name, value, arguments.length)); }
    set(name, value) { hostCall(usp.set, this.#p, ['' + name, '' + value]); }
    sort() { hostCall(usp.sort, this.#p, []); }
    toString() { return '' + hostCall(usp.toString, this.#p, []); }
    get size() { return uspSize ? hostCall(uspSize, this.#p, []) : this.#pairs().length; }
    // Name/value pairs in order, read through the host's own iterator into realm arrays.
    #pairs() {
      const it = hostCall(usp.entries, this.#p, []);
      const next = it.next;
      const out = [];
      for (let i = 0; ; i++) {
        const step = hostCall(next, it, []);
        if (step.done) return out;
        defineProperty(out, i, { __proto__: null, value: ['' + step.value[0], '' + step.value[1]], writable: true, enumerable: true, configurable: true });
      }
    }
    entries() { return apply(arrayValues, this.#pairs(), []); }
    keys() { return apply(arrayValues, this.#pairs().map((e) => e[0]), []); }
    values() { return apply(arrayValues, this.#pairs().map((e) => e[1]), []); }
    forEach(callback, thisArg = undefined) {
      const list = this.#pairs();
      for (let i = 0; i < list.length; i++) apply(callback, thisArg, [list[i][1], list[i][0], this]);
    }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return 'URLSearchParams'; }
  }

  const HostURL = host.URL;
  const urlGet = { __proto__: null };
  const urlSet = { __proto__: null };
  for (const k of ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash', 'searchParams']) {
    urlGet[k] = hostGetter(HostURL, k);
    urlSet[k] = hostSetter(HostURL, k);
  }
  const urlCanParse = HostURL.canParse;
  class URL {
    #u;
    #params;
    constructor(input, base = undefined) {
      if (arguments.length === 0) throw new LocalTypeError('The "url" argument must be specified');
      this.#u = hostNew(HostURL, base === undefined ? ['' + input] : ['' + input, '' + base]);
    }
    static canParse(input, base = undefined) {
      if (urlCanParse) return !!hostCall(urlCanParse, HostURL, base === undefined ? ['' + input] : ['' + input, '' + base]);
      try { new URL(input, base); return true; } catch { return false; }
    }
    #get(k) { return '' + hostCall(urlGet[k], this.#u, []); }
    #set(k, v) { hostCall(urlSet[k], this.#u, ['' + v]); }
    get href() { return this.#get('href'); }
    set href(v) { this.#set('href', v); }
    get origin() { return this.#get('origin'); }
    get protocol() { return this.#get('protocol'); }
    set protocol(v) { this.#set('protocol', v); }
    get username() { return this.#get('username'); }
    set username(v) { this.#set('username', v); }
    get password() { return this.#get('password'); }
    set password(v) { this.#set('password', v); }
    get host() { return this.#get('host'); }
    set host(v) { this.#set('host', v); }
    get hostname() { return this.#get('hostname'); }
    set hostname(v) { this.#set('hostname', v); }
    get port() { return this.#get('port'); }
    set port(v) { this.#set('port', v); }
    get pathname() { return this.#get('pathname'); }
    set pathname(v) { this.#set('pathname', v); }
    get search() { return this.#get('search'); }
    set search(v) { this.#set('search', v); }
    get hash() { return this.#get('hash'); }
    set hash(v) { this.#set('hash', v); }
    get searchParams() {
      if (this.#params === undefined) {
        // The host's params object stays linked to the host URL (edits show in href).
        wrapping = hostCall(urlGet.searchParams, this.#u, []);
        try { this.#params = new URLSearchParams(WRAP); } finally { wrapping = undefined; }
      }
      return this.#params;
    }
    toString() { return this.#get('href'); }
    toJSON() { return this.#get('href'); }
    get [Symbol.toStringTag]() { return 'URL'; }
  }

  const bridgeClasses = [AsyncLocalStorage, TextEncoder, TextDecoder, URL, URLSearchParams];
  const installBridge = () => {
    const lock = (name, value) => defineProperty(g, name, { __proto__: null, value, writable: false, enumerable: false, configurable: false });
    lock('__aionAsyncLocalStorage', AsyncLocalStorage);
    for (let i = 1; i < bridgeClasses.length; i++) {
      defineProperty(g, bridgeClasses[i].name, { __proto__: null, value: bridgeClasses[i], writable: true, enumerable: false, configurable: true });
    }
  };
`;
