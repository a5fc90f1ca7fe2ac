import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import {
  exited,
  LineReader,
  runKey,
  spawnFixture,
  tagOf,
  tempDir,
} from './fixtures/sqlite-helpers.js';
import { callRuns, callTag, WRITER } from './fixtures/sqlite-writer.js';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

describe('SQLite store under kill -9', () => {
  it('a writer killed mid commit loop leaves whole group commits, contiguous histories and matching visibility', async () => {
    const file = path.join(tmp.dir, 'crash.db');
    const writer = spawnFixture('sqlite-writer.ts', [file]);
    const out = new LineReader(writer);
    let acknowledged = -1;
    try {
      // Let it commit for a while, then kill it at a random moment.
      await out.waitFor((l) => Number(l) >= 200);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 150)));
    } finally {
      writer.kill('SIGKILL');
      const { signal } = await exited(writer);
      expect(signal, out.stderr).toBe('SIGKILL');
      acknowledged = Math.max(...out.lines.filter((l) => /^\d+$/.test(l)).map(Number));
    }
    expect(acknowledged).toBeGreaterThanOrEqual(200);

    const store = await openSqliteStore({ path: file }); // the dead owner's lock is free
    try {
      const callsSeen = new Map<string, number[]>();
      let startedRuns = 0;
      for (let i = 0; i < WRITER.runs; i++) {
        const run = runKey(i);
        const history = await store.readHistory(run);
        const info = await store.getRun(run);
        expect(history.map((e) => e.seq)).toEqual(history.map((_, k) => k + 1));
        expect(await store.headSeq(run)).toBe(history.length);
        expect(history.length % WRITER.eventsPerBatch).toBe(0);
        if (history.length === 0) {
          expect(info).toBeUndefined();
          continue;
        }
        startedRuns++;
        expect(info?.headSeq).toBe(history.length);
        expect(info?.status).toBe('RUNNING');
        for (let b = 0; b < history.length; b += WRITER.eventsPerBatch) {
          const tags = new Set(history.slice(b, b + WRITER.eventsPerBatch).map(tagOf));
          expect(tags.size, `run ${i} batch at seq ${b + 1} is torn`).toBe(1);
          const tag = [...tags][0]!;
          callsSeen.set(tag, [...(callsSeen.get(tag) ?? []), i]);
        }
      }
      // A group commit is one transaction: each call is in all of its runs or in none, and
      // every acknowledged call (synchronous=FULL) survived.
      const lastCall = Math.max(
        ...[...callsSeen.keys()].map((t) => Number(t.slice('call-'.length))),
      );
      expect(lastCall).toBeGreaterThanOrEqual(acknowledged);
      for (let call = 0; call <= lastCall; call++) {
        expect(callsSeen.get(callTag(call)), `call ${call}`).toEqual(callRuns(call));
      }
      expect(callsSeen.size).toBe(lastCall + 1);
      // Visibility agrees with history.
      expect(await store.countRuns('default')).toBe(startedRuns);
      const page = await store.listRuns({ namespace: 'default', pageSize: 1000 });
      for (const item of page.items) {
        const history = await store.readHistory(item);
        expect(item.headSeq).toBe(history.length);
      }
    } finally {
      await store.close();
    }
  });
});
