/**
 * In-realm source (evaluated inside the bootstrap function, after REALM_BRIDGE_SOURCE) of the
 * sandbox's `AbortController` and `AbortSignal`. They are plain classes of the realm (no host
 * object behind them), deterministic (listeners run synchronously, in registration order,
 * when `abort()` is called) and frozen with the other built-ins once the package settles.
 * `AbortSignal.timeout()` starts a durable timer through the sandbox's `setTimeout`.
 *
 * Like the bridge, the code uses functions captured before workflow code ran.
 */
export const REALM_ABORT_SOURCE = String.raw`
  const abortSignalKey = Symbol('aion.abortSignal');
  const arrayPush = Array.prototype.push;
  const arraySplice = Array.prototype.splice;
  const arraySlice = Array.prototype.slice;
  const arrayFrom = Array.from;
  const LocalArrayCtor = Array;
  let fireAbort;
  const abortError = (message, name) => {
    const err = new LocalError(message);
    defineProperty(err, 'name', { __proto__: null, value: name, writable: true, enumerable: false, configurable: true });
    return err;
  };
  const listenerOf = (listener) => (typeof listener === 'function' || (listener !== null && typeof listener === 'object') ? listener : undefined);
  const onceOf = (options) => (options !== null && typeof options === 'object' ? !!options.once : false);

  class AbortSignal {
    #aborted = false;
    #reason = undefined;
    #listeners = [];
    #onabort = null;
    constructor(key) {
      if (key !== abortSignalKey) throw new LocalTypeError('Illegal constructor');
    }
    get aborted() { return this.#aborted; }
    get reason() { return this.#reason; }
    get onabort() { return this.#onabort; }
    // As an event handler attribute: it runs at the place among the listeners where it was
    // first set.
    set onabort(fn) {
      const handler = typeof fn === 'function' ? fn : null;
      const list = this.#listeners;
      if (this.#onabort === null && handler !== null) {
        apply(arrayPush, list, [{ __proto__: null, l: (event) => apply(this.#onabort, this, [event]), once: false, attribute: true }]);
      } else if (this.#onabort !== null && handler === null) {
        for (let i = 0; i < list.length; i++) if (list[i].attribute) { apply(arraySplice, list, [i, 1]); break; }
      }
      this.#onabort = handler;
    }
    throwIfAborted() {
      if (this.#aborted) throw this.#reason;
    }
    addEventListener(type, listener, options = undefined) {
      const l = listenerOf(listener);
      if ('' + type !== 'abort' || l === undefined) return;
      const list = this.#listeners;
      for (let i = 0; i < list.length; i++) if (list[i].l === l) return;
      apply(arrayPush, list, [{ __proto__: null, l, once: onceOf(options) }]);
    }
    removeEventListener(type, listener) {
      if ('' + type !== 'abort') return;
      const list = this.#listeners;
      for (let i = 0; i < list.length; i++) {
        if (list[i].l === listener) { apply(arraySplice, list, [i, 1]); return; }
      }
    }
    // Marks the signal aborted and runs its listeners; the first error a listener throws is
    // rethrown once every listener ran.
    static #fire(signal, reason) {
      if (signal.#aborted) return;
      signal.#aborted = true;
      signal.#reason = reason === undefined ? abortError('This operation was aborted', 'AbortError') : reason;
      const event = freeze({ __proto__: null, type: 'abort', target: signal, currentTarget: signal });
      const list = apply(arraySlice, signal.#listeners, []);
      signal.#listeners = [];
      let failed = false;
      let error;
      const call = (fn) => {
        try {
          if (typeof fn === 'function') apply(fn, signal, [event]);
          else if (fn !== null && typeof fn === 'object' && typeof fn.handleEvent === 'function') apply(fn.handleEvent, fn, [event]);
        } catch (e) {
          if (!failed) { failed = true; error = e; }
        }
      };
      for (let i = 0; i < list.length; i++) call(list[i].l);
      if (failed) throw error;
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(abortSignalKey);
      AbortSignal.#fire(signal, reason);
      return signal;
    }
    static any(signals) {
      const out = new AbortSignal(abortSignalKey);
      const list = apply(arrayFrom, LocalArrayCtor, [signals]);
      for (let i = 0; i < list.length; i++) {
        if (!(#aborted in list[i])) throw new LocalTypeError('AbortSignal.any needs AbortSignal objects');
        if (list[i].#aborted) { AbortSignal.#fire(out, list[i].#reason); return out; }
      }
      for (let i = 0; i < list.length; i++) {
        const source = list[i];
        source.addEventListener('abort', () => AbortSignal.#fire(out, source.#reason), { once: true });
      }
      return out;
    }
    static timeout(ms) {
      const signal = new AbortSignal(abortSignalKey);
      g.setTimeout(() => AbortSignal.#fire(signal, abortError('The operation was aborted due to timeout', 'TimeoutError')), ms);
      return signal;
    }
    get [Symbol.toStringTag]() { return 'AbortSignal'; }
    static {
      fireAbort = (signal, reason) => AbortSignal.#fire(signal, reason);
    }
  }

  class AbortController {
    #signal = new AbortSignal(abortSignalKey);
    get signal() { return this.#signal; }
    abort(reason = undefined) { fireAbort(this.#signal, reason); }
    get [Symbol.toStringTag]() { return 'AbortController'; }
  }

  const installAbort = () => {
    defineProperty(g, 'AbortSignal', { __proto__: null, value: AbortSignal, writable: true, enumerable: false, configurable: true });
    defineProperty(g, 'AbortController', { __proto__: null, value: AbortController, writable: true, enumerable: false, configurable: true });
  };
`;
