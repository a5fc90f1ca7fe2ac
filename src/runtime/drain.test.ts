import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { drainMicrotasks, drainsDirectly } from './drain.js';

const context = (): vm.Context => vm.createContext({}, { microtaskMode: 'afterEvaluate' });

describe('drainMicrotasks', () => {
  it('runs every microtask queued in the context, chains included', () => {
    const ctx = context();
    const queue = vm.runInContext(
      `globalThis.log = [];
       (async () => {
         for (let i = 0; i < 3; i++) { await null; log.push(i); }
       })(),
       () => { Promise.resolve().then(() => log.push('late')); }`,
      ctx,
    ) as () => void;
    queue();
    drainMicrotasks(ctx);
    expect(vm.runInContext('log.join()', ctx)).toBe('0,1,2,late');
  });

  it('leaves the host queue alone and drains only its own context', async () => {
    const a = context();
    const b = context();
    vm.runInContext('globalThis.n = 0', a);
    vm.runInContext('globalThis.n = 0', b);
    const bump = (ctx: vm.Context): void =>
      (vm.runInContext('() => { Promise.resolve().then(() => { n++; }); }', ctx) as () => void)();
    let host = false;
    void Promise.resolve().then(() => {
      host = true;
    });
    bump(a);
    bump(b);
    drainMicrotasks(a);
    expect((a as { n: number }).n).toBe(1);
    expect((b as { n: number }).n).toBe(0);
    expect(host).toBe(false);
    drainMicrotasks(b);
    expect((b as { n: number }).n).toBe(1);
    await Promise.resolve();
    expect(host).toBe(true);
  });

  it('skips the public method on the Node.js majors it was checked against', () => {
    const major = process.versions.node.split('.')[0];
    expect(drainsDirectly()).toBe(['20', '22', '24'].includes(major!));
  });
});
