// The group commit carries audit-trail entries: entries and run commits submitted together
// share one store transaction, each caller is answered only once that transaction committed,
// and a refused entry fails only its own caller.
import { afterEach, describe, expect, it } from 'vitest';
import { engineMetrics, noopMetrics } from '../../src/engine/metrics.js';
import { Recorder } from '../../src/engine/recorder.js';
import type { AuditEntry, RunCommit } from '../../src/store/index.js';
import { startedEvent, makeRunKey } from '../../src/store/conformance/fixtures.js';
import {
  countingStore,
  disposeCountingStores,
  forgetCountingStores,
} from './fixtures/counting-store.js';

afterEach(disposeCountingStores);

function entry(subject: string, fields: Partial<AuditEntry> = {}): AuditEntry {
  const base: AuditEntry = {
    time: 1_700_000_000_000,
    subject,
    action: 'workflow.start',
    namespace: 'default',
    target: `wf-${subject}`,
    outcome: 'ok',
    code: null,
    count: 1,
  };
  return { ...base, ...fields };
}

const start = (): RunCommit => ({ run: makeRunKey(), expectedSeq: 0, events: [startedEvent()] });

describe('Recorder: audit entries in the group commit', () => {
  it('commits entries and runs submitted together in one transaction, answering each after it', async () => {
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    const answeredAfter: number[] = [];
    const seen = <T>(p: Promise<T>): Promise<T> =>
      p.then((v) => {
        answeredAfter.push(calls.done);
        return v;
      });
    const results = await Promise.all([
      seen(recorder.submit(start())),
      seen(recorder.audit([entry('a')])),
      seen(recorder.submit(start())),
      seen(recorder.audit([entry('b'), entry('c')])),
    ]);
    expect(results[0]).toEqual({ ok: true, headSeq: 1 });
    expect(results[2]).toEqual({ ok: true, headSeq: 1 });
    expect(calls.commits).toEqual([{ runs: 2, audit: 3 }]);
    expect(calls.appends).toBe(0);
    // No caller was answered before the one store call had returned.
    expect(answeredAfter).toEqual([1, 1, 1, 1]);
    const audit = await store.readAudit({ limit: 10 });
    expect(audit.map((e) => e.subject)).toEqual(['a', 'b', 'c']);
  });

  it('writes entries in a transaction of their own when no run commit is waiting', async () => {
    const { store, calls } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    await recorder.audit([entry('alone')]);
    expect(calls).toMatchObject({ commits: [], appends: 1 });
    expect((await store.readAudit({ limit: 10 })).map((e) => e.subject)).toEqual(['alone']);
    expect(recorder.idle).toBe(true);
  });

  it('fails only the caller of a refused entry: the runs and the other entries commit', async () => {
    const { store } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    const [run, good, bad, other] = await Promise.allSettled([
      recorder.submit(start()),
      recorder.audit([entry('good')]),
      recorder.audit([entry('bad', { count: 0 })]),
      recorder.audit([entry('other')]),
    ]);
    expect(run).toEqual({ status: 'fulfilled', value: { ok: true, headSeq: 1 } });
    expect(good.status).toBe('fulfilled');
    expect(other.status).toBe('fulfilled');
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'invalid_argument' } });
    const audit = await store.readAudit({ limit: 10 });
    expect(audit.map((e) => e.subject)).toEqual(['good', 'other']);
  });

  it('fails the entries with the transaction when the store is unavailable', async () => {
    const { store } = await countingStore();
    const recorder = new Recorder(store, engineMetrics(noopMetrics));
    await store.close();
    forgetCountingStores();
    const [run, audit] = await Promise.allSettled([
      recorder.submit(start()),
      recorder.audit([entry('lost')]),
    ]);
    expect(run.status).toBe('rejected');
    expect(audit.status).toBe('rejected');
  });
});
