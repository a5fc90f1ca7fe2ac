/**
 * Crash recovery with real `kill -9` of a child process running the engine on SQLite.
 * After each kill the store is inspected, then a new process recovers and finishes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/core/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { readJsonLines } from '../support/json-lines.js';
import {
  historiesByWorkflowId,
  historyShapeProblems,
  terminalTypes,
} from '../support/histories.js';

const runner = new URL('./fixtures/crash-runner.ts', import.meta.url).pathname;

interface LogEntry {
  event: string;
  activity?: string;
  workflowId?: string;
  i?: number;
  attempt?: number;
  pid: number;
  at: number;
  results?: unknown[];
}

let dir: string;
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function setup(): { db: string; log: string } {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-crash-'));
  return { db: path.join(dir, 'aion.db'), log: path.join(dir, 'activity.log') };
}

function run(
  db: string,
  log: string,
  mode: 'start' | 'resume',
  scenario: string,
  count: number,
): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', runner, db, log, mode, scenario, String(count)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  (child as ChildProcess & { stderrText: () => string }).stderrText = () => stderr;
  children.push(child);
  return child;
}

function readLog(log: string): LogEntry[] {
  return readJsonLines<LogEntry>(log);
}

async function waitFor(
  log: string,
  predicate: (entries: LogEntry[]) => boolean,
  timeoutMs = 30_000,
): Promise<LogEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = readLog(log);
    if (predicate(entries)) return entries;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting; log has ${entries.length} lines`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function exited(child: ChildProcess, timeoutMs = 60_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `child did not exit: ${(child as ChildProcess & { stderrText: () => string }).stderrText()}`,
          ),
        ),
      timeoutMs,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function kill9(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await exited(child);
}

/** Reads every run's history (with a non-owner connection: the owner is dead). */
async function histories(db: string): Promise<Map<string, HistoryEvent[]>> {
  const store = await openSqliteStore({ path: db, exclusive: false });
  try {
    return await historiesByWorkflowId(store);
  } finally {
    await store.close();
  }
}

/** Activities (by result string `wf:i`) whose completion is recorded. */
function recordedCompletions(all: Map<string, HistoryEvent[]>): Set<string> {
  const out = new Set<string>();
  for (const events of all.values()) {
    for (const e of events)
      if (e.type === 'ActivityCompleted') out.add(JSON.parse(e.result.data) as string);
  }
  return out;
}

function checkOneStartOneTerminal(all: Map<string, HistoryEvent[]>, expectRuns: number): void {
  expect(all.size).toBe(expectRuns);
  for (const [id, events] of all) {
    expect(historyShapeProblems(events), id).toEqual([]);
    expect(terminalTypes(events), id).toEqual(['WorkflowCompleted']);
  }
}

describe('kill -9 recovery (SQLite)', () => {
  it('mid-activity: every workflow completes once; recorded activities never run again', async () => {
    const { db, log } = setup();
    const first = run(db, log, 'start', 'steps', 20);
    await waitFor(log, (e) => e.filter((x) => x.event === 'done').length >= 40);
    await kill9(first);
    const before = recordedCompletions(await histories(db));
    expect(before.size).toBeGreaterThan(0);
    const second = run(db, log, 'resume', 'steps', 20);
    expect(await exited(second)).toBe(0);
    const entries = readLog(log);
    const rerun = entries.filter(
      (e) => e.pid === second.pid && e.event === 'start' && before.has(`${e.workflowId}:${e.i}`),
    );
    expect(rerun).toEqual([]);
    const all = await histories(db);
    checkOneStartOneTerminal(all, 20);
    for (const [id, events] of all) {
      const done = events.find((e) => e.type === 'WorkflowCompleted') as HistoryEvent & {
        type: 'WorkflowCompleted';
      };
      expect(JSON.parse(done.result.data)).toEqual(
        Array.from({ length: 6 }, (_, i) => `${id}:${i}`),
      );
      expect(events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(6);
    }
    // At-least-once: every step ran to completion in some process.
    for (let w = 0; w < 20; w++) {
      for (let i = 0; i < 6; i++) {
        expect(
          entries.some((e) => e.event === 'done' && e.workflowId === `steps-${w}` && e.i === i),
        ).toBe(true);
      }
    }
  });

  it('during retry backoff: the next attempt runs at the recorded time, not earlier and not never', async () => {
    const { db, log } = setup();
    const first = run(db, log, 'start', 'backoff', 3);
    const failed = await waitFor(log, (e) => e.filter((x) => x.event === 'fail').length >= 3);
    await new Promise((r) => setTimeout(r, 300)); // let the backoff be recorded
    await kill9(first);
    const second = run(db, log, 'resume', 'backoff', 3);
    expect(await exited(second)).toBe(0);
    const entries = readLog(log);
    for (let w = 0; w < 3; w++) {
      const id = `backoff-${w}`;
      const failAt = failed.find((e) => e.event === 'fail' && e.workflowId === id)!.at;
      const retries = entries.filter(
        (e) => e.event === 'start' && e.workflowId === id && e.pid === second.pid,
      );
      expect(retries).toHaveLength(1);
      expect(retries[0]!.attempt).toBe(2);
      expect(retries[0]!.at).toBeGreaterThanOrEqual(failAt + 2000);
    }
    checkOneStartOneTerminal(await histories(db), 3);
  });

  it('while sleeping (down past the fire time): timers fire after restart', async () => {
    const { db, log } = setup();
    const first = run(db, log, 'start', 'sleepy', 5);
    await waitFor(log, (e) => e.some((x) => x.event === 'started'));
    await kill9(first);
    await new Promise((r) => setTimeout(r, 1700));
    const second = run(db, log, 'resume', 'sleepy', 5);
    expect(await exited(second)).toBe(0);
    const all = await histories(db);
    checkOneStartOneTerminal(all, 5);
    for (const events of all.values()) {
      expect(events.filter((e) => e.type === 'TimerFired')).toHaveLength(1);
      const done = events.find((e) => e.type === 'WorkflowCompleted') as HistoryEvent & {
        type: 'WorkflowCompleted';
      };
      expect(JSON.parse(done.result.data)).toBe('woke');
    }
  });

  it('continue-as-new chains killed at random points: exactly one successor per run', async () => {
    const { db, log } = setup();
    let child = run(db, log, 'start', 'chain', 10);
    // The first kill comes after the starts are durable (a slow start-up must not race it).
    await waitFor(log, (e) => e.some((x) => x.event === 'started'));
    for (let round = 0; round < 3; round++) {
      const pid = child.pid;
      await Promise.race([
        waitFor(log, (e) => e.filter((x) => x.pid === pid && x.event === 'done').length >= 5),
        new Promise((r) => setTimeout(r, 1500)),
      ]);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      await kill9(child);
      child = run(db, log, 'resume', 'chain', 10);
    }
    expect(await exited(child)).toBe(0);
    const store = await openSqliteStore({ path: db, exclusive: false });
    try {
      for (let w = 0; w < 10; w++) {
        const runs = await store.getRunChain('default', `chain-${w}`);
        expect(runs).toHaveLength(9);
        runs.forEach((r, i) => {
          expect(r.status).toBe(i < 8 ? 'CONTINUED_AS_NEW' : 'COMPLETED');
          if (i > 0) expect(r.continuedFromRunId).toBe(runs[i - 1]!.runId);
        });
      }
      expect(await store.listOutbox({ limit: 10 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('parents killed around child record-then-start: every child starts exactly once', async () => {
    const { db, log } = setup();
    let child = run(db, log, 'start', 'family', 8);
    // The first kill comes after the starts are durable (a slow start-up must not race it).
    await waitFor(log, (e) => e.some((x) => x.event === 'started'));
    for (let round = 0; round < 3; round++) {
      const pid = child.pid;
      await Promise.race([
        waitFor(log, (e) => e.filter((x) => x.pid === pid && x.event === 'done').length >= 3),
        new Promise((r) => setTimeout(r, 1500)),
      ]);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      await kill9(child);
      child = run(db, log, 'resume', 'family', 8);
    }
    expect(await exited(child)).toBe(0);
    const store = await openSqliteStore({ path: db, exclusive: false });
    try {
      for (let w = 0; w < 8; w++) {
        const parent = await store.getRunChain('default', `family-${w}`);
        expect(parent.map((r) => r.status)).toEqual(['COMPLETED']);
        for (let k = 0; k < 3; k++) {
          const runs = await store.getRunChain('default', `family-${w}/kid-${k}`);
          expect(runs.map((r) => r.status)).toEqual(['COMPLETED']);
          expect(runs[0]!.parent?.runId).toBe(parent[0]!.runId);
        }
        const history = await store.readHistory(parent[0]!);
        expect(history.filter((e) => e.type === 'ChildWorkflowInitiated')).toHaveLength(3);
        expect(history.filter((e) => e.type === 'ChildWorkflowStarted')).toHaveLength(3);
        expect(history.filter((e) => e.type === 'ChildWorkflowCompleted')).toHaveLength(3);
      }
      expect(await store.listOutbox({ limit: 10 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('cancel of a parent killed mid-propagation: the whole tree ends per close policy', async () => {
    const { db, log } = setup();
    let child = run(db, log, 'start', 'tree', 6);
    // The first kill comes after the starts are durable (a slow start-up must not race it).
    await waitFor(log, (e) => e.some((x) => x.event === 'started'));
    for (let round = 0; round < 2; round++) {
      const pid = child.pid;
      await Promise.race([
        waitFor(log, (e) =>
          e.some(
            (x) => x.pid === pid && (x.event === 'cancel-sent' || x.event === 'children-running'),
          ),
        ),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
      await kill9(child);
      child = run(db, log, 'resume', 'tree', 6);
    }
    expect(await exited(child)).toBe(0);
    const store = await openSqliteStore({ path: db, exclusive: false });
    try {
      for (let w = 0; w < 6; w++) {
        const parent = await store.getRunChain('default', `tree-${w}`);
        expect(parent.map((r) => r.status)).toEqual(['CANCELLED']);
        for (let i = 0; i < 100; i++) {
          const t = await store.getRunChain('default', `tree-${w}/terminate`);
          const c = await store.getRunChain('default', `tree-${w}/cancel`);
          if (t[0]?.status === 'TERMINATED' && c[0]?.status === 'COMPLETED') break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(
          (await store.getRunChain('default', `tree-${w}/terminate`)).map((r) => r.status),
        ).toEqual(['TERMINATED']);
        // REQUEST_CANCEL: the child saw the cancellation and returned 'cancelled'.
        expect(
          (await store.getRunChain('default', `tree-${w}/cancel`)).map((r) => r.status),
        ).toEqual(['COMPLETED']);
      }
    } finally {
      await store.close();
    }
  });

  it('reset killed between recording the intent and creating the new run: exactly one new run', async () => {
    const { db, log } = setup();
    let child = run(db, log, 'start', 'resettable', 6);
    // The first kill comes after the starts are durable (a slow start-up must not race it).
    await waitFor(log, (e) => e.some((x) => x.event === 'started'));
    for (let round = 0; round < 2; round++) {
      const pid = child.pid;
      await Promise.race([
        waitFor(log, (e) => e.some((x) => x.pid === pid && x.event === 'reset-sent')),
        new Promise((r) => setTimeout(r, 2000)),
      ]);
      await kill9(child);
      child = run(db, log, 'resume', 'resettable', 6);
    }
    expect(await exited(child)).toBe(0);
    const store = await openSqliteStore({ path: db, exclusive: false });
    try {
      for (let w = 0; w < 6; w++) {
        const chain = await store.getRunChain('default', `resettable-${w}`);
        expect(chain.map((r) => r.status)).toEqual(['TERMINATED', 'COMPLETED']);
      }
      expect(await store.listOutbox({ limit: 10 })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('random kill points (between commit and dispatch, mid-fan-out, mid-sleep), twice', async () => {
    const { db, log } = setup();
    let child = run(db, log, 'start', 'fan', 30);
    const recordedAtKill: { pid: number; recorded: Set<string> }[] = [];
    for (let round = 0; round < 2; round++) {
      const pid = child.pid;
      if (round === 0)
        await waitFor(
          log,
          (e) => e.filter((x) => x.pid === pid && x.event === 'done').length >= 10,
        );
      else
        await Promise.race([
          waitFor(log, (e) => e.some((x) => x.pid === pid && x.event === 'done')),
          new Promise((r) => setTimeout(r, 600)),
        ]);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
      await kill9(child);
      recordedAtKill.push({ pid: child.pid!, recorded: recordedCompletions(await histories(db)) });
      child = run(db, log, 'resume', 'fan', 30);
    }
    expect(await exited(child)).toBe(0);
    const entries = readLog(log);
    // A completion recorded before a kill never runs again in any later process.
    recordedAtKill.forEach(({ recorded }, k) => {
      const laterPids = new Set(
        recordedAtKill
          .slice(k + 1)
          .map((r) => r.pid)
          .concat(child.pid!),
      );
      const rerun = entries.filter(
        (e) =>
          e.event === 'start' && laterPids.has(e.pid) && recorded.has(`${e.workflowId}:${e.i}`),
      );
      expect(rerun).toEqual([]);
    });
    const all = await histories(db);
    checkOneStartOneTerminal(all, 30);
    for (const events of all.values()) {
      expect(events.filter((e) => e.type === 'ActivityCompleted')).toHaveLength(5);
      expect(events.filter((e) => e.type === 'TimerFired')).toHaveLength(1);
    }
  });
});
