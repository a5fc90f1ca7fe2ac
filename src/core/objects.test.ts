import { describe, expect, it } from 'vitest';
import { extend } from './objects.js';

describe('extend', () => {
  it('copies like a spread: same keys in the same order, the extra fields winning', () => {
    const base = { type: 'TimerStarted', timerId: 't1', fireAt: 5 };
    const out = extend(base, { fireAt: 6, seq: 2 });
    expect(out).toEqual({ ...base, fireAt: 6, seq: 2 });
    expect(Object.keys(out)).toEqual(Object.keys({ ...base, fireAt: 6, seq: 2 }));
    expect(JSON.stringify(out)).toBe(JSON.stringify({ ...base, fireAt: 6, seq: 2 }));
    expect(base).toEqual({ type: 'TimerStarted', timerId: 't1', fireAt: 5 }); // untouched
  });

  it('keeps enumerable symbol-keyed fields and leaves out non-enumerable ones', () => {
    const tag = Symbol('tag');
    const hidden = Symbol('hidden');
    const base: Record<PropertyKey, unknown> = { a: 1, [tag]: 'data' };
    Object.defineProperty(base, hidden, { value: 'no', enumerable: false });
    const out = extend(base, { b: 2 }) as Record<PropertyKey, unknown>;
    expect(out[tag]).toBe('data');
    expect(hidden in out).toBe(false);
    expect(out).toEqual({ a: 1, b: 2, [tag]: 'data' });
  });

  it('copies an own __proto__ field as data, never as the prototype', () => {
    const base = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const out = extend(base, { b: 2 }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(out.a).toBe(1);
  });

  it('takes an own __proto__ field of the added fields as data too, and reads getters as a spread does', () => {
    const extra = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const out = extend({ a: 1 }, extra) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    let reads = 0;
    const withGetter = {
      get n(): number {
        reads++;
        return 7;
      },
    };
    const copy = extend(withGetter, { m: 1 });
    expect(reads).toBe(1);
    expect(Object.getOwnPropertyDescriptor(copy, 'n')).toEqual({
      value: 7,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  });
});
