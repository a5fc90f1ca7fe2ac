// Sinks as in @temporalio/workflow + @temporalio/worker: workflow code calls proxySinks, the
// host's functions receive the calls after the activation, once (unless callDuringReplay).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEngine,
  createMemoryStore,
  type Engine,
  type EngineOptions,
  type InjectedSinks,
} from '../../src/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { TestWorkflowEnvironment } from '../../src/testing/index.js';
import type { WorkflowInfo } from '../../src/workflow/index.js';
import type { AuditSinks } from './fixtures/sinks.js';

const workflowsPath = new URL('./fixtures/sinks.ts', import.meta.url).pathname;

interface Seen {
  fn: string;
  args: unknown[];
  info: WorkflowInfo;
}

function recorder(): { seen: Seen[]; sinks: InjectedSinks<Omit<AuditSinks, 'missing'>> } {
  const seen: Seen[] = [];
  const sinks: InjectedSinks<Omit<AuditSinks, 'missing'>> = {
    audit: {
      record: { fn: (info, ...args) => void seen.push({ fn: 'record', args, info }) },
      replayed: {
        fn: (info, ...args) => void seen.push({ fn: 'replayed', args, info }),
        callDuringReplay: true,
      },
    },
    broken: {
      boom: {
        fn: () => {
          throw new Error('sink exploded');
        },
      },
    },
  };
  return { seen, sinks };
}

const engines: Engine[] = [];
const dirs: string[] = [];

async function engineWith(options: Omit<EngineOptions, 'workflowsPath'>): Promise<Engine> {
  const e = await createEngine({ workflowsPath, ...options });
  engines.push(e);
  return e;
}

afterEach(async () => {
  for (const e of engines.splice(0)) await e.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('proxySinks', () => {
  it('delivers calls in order with the caller info and the arguments as they were when called', async () => {
    const { seen, sinks } = recorder();
    const engine = await engineWith({ store: createMemoryStore(), sinks });
    const h = await engine.start('audited', { workflowId: 'sinks-order' });
    await until(() => seen.length >= 2);
    expect(await h.query('peek')).toBe(1);
    await h.signal('go');
    expect(await h.result()).toBe('done');
    expect(seen.map((s) => [s.fn, ...s.args])).toEqual([
      ['record', 'started', { n: 1 }],
      ['replayed', 'started'],
      ['record', 'released', { n: 3 }],
      ['replayed', 'released'],
    ]);
    const info = seen[0]!.info;
    expect(info.workflowId).toBe('sinks-order');
    expect(info.workflowType).toBe('audited');
    expect(info.startTime).toBeInstanceOf(Date);
    expect(info.unsafe.isReplaying).toBe(false);
  });

  it('does not deliver again after a restart, except to callDuringReplay functions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-sinks-'));
    dirs.push(dir);
    const db = path.join(dir, 'aion.db');
    const first = recorder();
    const engine = await engineWith({
      store: await openSqliteStore({ path: db }),
      sinks: first.sinks,
    });
    await engine.start('audited', { workflowId: 'sinks-restart' });
    await until(() => first.seen.length >= 2);
    await engine.whenIdle();
    await engine.shutdown();
    await engine.store.close();

    const second = recorder();
    const again = await engineWith({
      store: await openSqliteStore({ path: db }),
      sinks: second.sinks,
    });
    const h = again.getHandle('sinks-restart');
    await h.signal('go');
    expect(await h.result()).toBe('done');
    expect(second.seen.map((s) => [s.fn, s.args[0], s.info.unsafe.isReplaying])).toEqual([
      ['replayed', 'started', true],
      ['record', 'released', false],
      ['replayed', 'released', false],
    ]);
  });

  it('a throwing sink function is logged and does not fail the workflow; unknown sinks are dropped', async () => {
    const { seen, sinks } = recorder();
    const lines: { level: string; message: string; fields: unknown }[] = [];
    const log = (level: string) => (message: string, fields?: unknown) =>
      void lines.push({ level, message, fields });
    const engine = await engineWith({
      store: createMemoryStore(),
      sinks,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    });
    expect(await engine.execute('throwingSink', { workflowId: 'sinks-throw' })).toBe(
      'throwingSink',
    );
    expect(seen.map((s) => s.args[0])).toEqual(['after boom']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'sink function threw',
        fields: expect.objectContaining({ sink: 'broken', fn: 'boom', error: 'sink exploded' }),
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ sink: 'missing.nobody' }),
      }),
    );
  });

  it('defaultWorkerLogger without a host sink writes to the workflow log', async () => {
    const lines: { level: string; message: string; workflowId: string }[] = [];
    const engine = await engineWith({
      store: createMemoryStore(),
      workflowLogger: (line) => lines.push(line),
    });
    await engine.execute('loggerSink', { workflowId: 'sinks-logger' });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: 'hello from the sink {"k":1}',
        workflowId: 'sinks-logger',
      }),
    );
  });

  it('the aion/testing environments take sinks too', async () => {
    const { seen, sinks } = recorder();
    const env = await TestWorkflowEnvironment.createTimeSkipping({ workflowsPath, sinks });
    try {
      expect(
        await env.client.workflow.execute('throwingSink', {
          workflowId: 'sinks-env',
          taskQueue: 'default',
        }),
      ).toBe('throwingSink');
      expect(seen.map((s) => s.args[0])).toEqual(['after boom']);
    } finally {
      await env.teardown();
    }
  });
});
