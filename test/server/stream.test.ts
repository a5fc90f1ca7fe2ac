import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribeHistory } from '../../src/client/stream.js';
import { AionError, type HistoryEvent } from '../../src/core/index.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { eventStream } from '../../src/server/event-stream.js';
import { ApiKeys, createServer, type AionServer } from '../../src/server/index.js';
import type { StreamLimits } from '../../src/server/stream/socket-sink.js';

const workflowsPath = new URL('../fixtures/workflows/stream.ts', import.meta.url).pathname;

interface Env {
  engine: Engine;
  server: AionServer;
  url: string;
  ws: string;
  dataDir: string;
}

let env: Env | undefined;
afterEach(async () => {
  if (!env) return;
  await env.server.close();
  rmSync(env.dataDir, { recursive: true, force: true });
  env = undefined;
});

async function setup(
  options: { limits?: Partial<StreamLimits>; keys?: (k: ApiKeys) => Promise<void> } = {},
): Promise<Env> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-stream-'));
  const engine = await createEngine({ dataDir, workflowsPath });
  if (options.keys) await options.keys(new ApiKeys(engine.store));
  const server = await createServer({
    engine,
    config: { port: 0, auth: options.keys !== undefined, dataDir, logLevel: 'silent' },
    plugins: [eventStream(options.limits)],
  });
  const { url } = await server.listen();
  env = { engine, server, url, ws: url.replace(/^http/, 'ws'), dataDir };
  return env;
}

type Frame = { type: string } & Record<string, unknown>;

/** A raw protocol client: every frame in arrival order, plus how the socket closed. */
function rawStream(
  url: string,
  headers: Record<string, string> = {},
): {
  frames: Frame[];
  closed: Promise<number>;
  next: (type: string, where?: (f: Frame) => boolean) => Promise<Frame>;
} {
  const socket = new WebSocket(url, { headers });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data: WebSocket.RawData) => {
    frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  void closed.then(() => {
    for (const w of waiters.splice(0)) w();
  });
  let ended = false;
  void closed.then(() => (ended = true));
  const next = async (type: string, where: (f: Frame) => boolean = () => true): Promise<Frame> => {
    for (;;) {
      const found = frames.find((f) => f.type === type && where(f));
      if (found) return found;
      if (ended)
        throw new Error(`socket closed without a ${type} frame: ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { frames, closed, next };
}

const eventsOf = (frames: readonly Frame[]): HistoryEvent[] =>
  frames.filter((f) => f.type === 'events').flatMap((f) => f.events as HistoryEvent[]);

function expectContiguous(events: readonly HistoryEvent[], from = 1): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => from + i));
}

const historyUrl = (e: Env, workflowId: string, query = ''): string =>
  `${e.ws}/api/v1/namespaces/default/workflows/${workflowId}/history/stream${query}`;

describe('WebSocket event stream', () => {
  it('splices catch-up into the live feed with no gap and no duplicate while events commit concurrently', async () => {
    const e = await setup({ limits: { pageSize: 3 } });
    const h = await e.engine.start('ticker', { workflowId: 'splice' });
    for (let i = 0; i < 20; i++) await h.signal('tick', `before-${i}`);
    const raw = rawStream(historyUrl(e, 'splice'));
    await raw.next('subscribed');
    // Commits race with the paged catch-up read (3 events per page).
    const during = (async () => {
      for (let i = 0; i < 30; i++) await h.signal('tick', `during-${i}`);
      await h.signal('finish');
    })();
    await during;
    expect(await h.result()).toBe(50);
    expect(await raw.closed).toBe(1000);
    const events = eventsOf(raw.frames);
    const stored = (await h.fetchHistory()).events;
    expectContiguous(events);
    expect(events).toEqual(stored);
    expect(raw.frames[0]).toMatchObject({ type: 'subscribed', workflowId: 'splice', fromSeq: 1 });
    // Both phases carried events: the stored suffix before `live`, committed ones after it.
    const live = raw.frames.findIndex((f) => f.type === 'live');
    expect(raw.frames.slice(0, live).some((f) => f.type === 'events')).toBe(true);
    expect(raw.frames.slice(live).some((f) => f.type === 'events')).toBe(true);
    expect(raw.frames.at(-1)).toMatchObject({
      type: 'run_closed',
      status: 'COMPLETED',
      lastSeq: stored.length,
    });
  });

  it('resumes from a seq of a given run', async () => {
    const e = await setup();
    const h = await e.engine.start('ticker', { workflowId: 'resume' });
    for (let i = 0; i < 5; i++) await h.signal('tick', String(i));
    const runId = (await h.describe()).runId;
    const stream = subscribeHistory({ address: e.url, workflowId: 'resume', runId, fromSeq: 4 });
    const seen: HistoryEvent[] = [];
    const consumed = (async () => {
      for await (const ev of stream) seen.push(ev);
    })();
    await h.signal('finish');
    await h.result();
    await consumed;
    const stored = (await h.fetchHistory()).events;
    expect(seen).toEqual(stored.slice(3));
    expect(stream.runId).toBe(runId);
  });

  it('follows continue-as-new into the next run with a continued frame', async () => {
    const e = await setup();
    const h = await e.engine.start('chain', { workflowId: 'chain', args: [2] });
    const raw = rawStream(historyUrl(e, 'chain', '?follow=true'));
    await raw.next('live');
    const first = (await h.describe()).runId;
    await h.signal('finish');
    const continued = await raw.next('continued');
    expect(continued).toMatchObject({ fromRunId: first });
    await raw.next('events', (f) => f.runId === continued.runId); // the successor exists
    const second = e.engine.getHandle('chain', continued.runId as string);
    await second.signal('finish');
    expect(await second.result()).toBe(1);
    expect(await raw.closed).toBe(1000);
    const byRun = (runId: string): HistoryEvent[] =>
      raw.frames
        .filter((f) => f.type === 'events' && f.runId === runId)
        .flatMap((f) => f.events as HistoryEvent[]);
    expect(byRun(first)).toEqual((await e.engine.getHandle('chain', first).fetchHistory()).events);
    expect(byRun(continued.runId as string)).toEqual((await second.fetchHistory()).events);
    expect(raw.frames.filter((f) => f.type === 'run_closed').map((f) => f.status)).toEqual([
      'CONTINUED_AS_NEW',
      'COMPLETED',
    ]);
  });

  it('filters the live run feed by workflow type and status', async () => {
    const e = await setup();
    const all = rawStream(`${e.ws}/api/v1/namespaces/default/runs/stream?workflowType=ticker`);
    const closedOnly = rawStream(
      `${e.ws}/api/v1/namespaces/default/runs/stream?status=COMPLETED,FAILED`,
    );
    await all.next('subscribed');
    await closedOnly.next('subscribed');
    const t = await e.engine.start('ticker', { workflowId: 'feed-t' });
    const c = await e.engine.start('chain', { workflowId: 'feed-c', args: [1] });
    await t.signal('finish');
    await c.signal('finish');
    await t.result();
    await c.result();
    // The feed is ordered per connection: the last change we wait for comes after the others.
    const runsOf = async (s: ReturnType<typeof rawStream>, count: number): Promise<Frame[]> => {
      for (;;) {
        const runs = s.frames.filter((f) => f.type === 'run');
        if (runs.length >= count) return runs;
        await delay(10);
      }
    };
    const tickerRuns = await runsOf(all, 2);
    expect(tickerRuns.map((f) => [f.workflowId, f.change, f.status])).toEqual([
      ['feed-t', 'started', 'RUNNING'],
      ['feed-t', 'closed', 'COMPLETED'],
    ]);
    const closed = await runsOf(closedOnly, 2);
    expect(closed.map((f) => f.workflowId).sort()).toEqual(['feed-c', 'feed-t']);
    expect(closed.every((f) => f.change === 'closed')).toBe(true);
    const bad = rawStream(`${e.ws}/api/v1/namespaces/default/runs/stream?status=DONE`);
    expect(await bad.next('error')).toMatchObject({ code: 'invalid_argument' });
    expect(await bad.closed).toBe(1008);
  });

  it('sends lagged to a slow consumer and the client resumes, seeing every event exactly once', async () => {
    const e = await setup({ limits: { maxBufferedBytes: 64 * 1024, pageSize: 4 } });
    const h = await e.engine.start('ticker', { workflowId: 'slow' });
    const reasons: string[] = [];
    const stream = subscribeHistory({
      address: e.url,
      workflowId: 'slow',
      highWaterBytes: 256 * 1024,
      onReconnect: (info) => reasons.push(info.reason),
    });
    const it = stream[Symbol.asyncIterator]();
    const seen: HistoryEvent[] = [];
    const first = await it.next(); // connected and live; now stop reading
    if (!first.done) seen.push(first.value);
    const big = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 48; i++) await h.signal('tick', `${i}:${big}`);
    await h.signal('finish');
    await h.result();
    // Wait (bounded by the test timeout) until the server gave up on this consumer.
    while (
      !/aion_stream_lagged_total(\{[^}]*\})? [1-9]/.test(await e.server.context.metrics.expose())
    ) {
      await delay(20);
    }
    for (let r = await it.next(); !r.done; r = await it.next()) seen.push(r.value);
    const stored = (await h.fetchHistory()).events;
    expect(reasons).toContain('lagged');
    expect(seen.map((ev) => ev.seq)).toEqual(stored.map((ev) => ev.seq));
    expect(seen).toEqual(stored);
  });

  it('refuses a missing workflow with a not_found error frame', async () => {
    const e = await setup();
    const raw = rawStream(historyUrl(e, 'nope'));
    expect(await raw.next('error')).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await raw.closed).toBe(1008);
    const err = await (async () => {
      for await (const _ of subscribeHistory({ address: e.url, workflowId: 'nope' })) break;
    })().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AionError);
    expect((err as AionError).code).toBe('not_found');
    const bad = rawStream(historyUrl(e, 'nope', '?fromSeq=0'));
    expect(await bad.next('error')).toMatchObject({ code: 'invalid_argument' });
  });

  it('authorizes read: a reader key streams, no key is refused', async () => {
    let reader = '';
    const e = await setup({
      keys: async (k) => {
        reader = (await k.create({ name: 'dashboard', role: 'reader' })).token;
      },
    });
    const h = await e.engine.start('ticker', { workflowId: 'auth' });
    const ok = rawStream(historyUrl(e, 'auth'), { authorization: `Bearer ${reader}` });
    expect(await ok.next('subscribed')).toMatchObject({ workflowId: 'auth' });
    await ok.next('live');
    const anonymous = rawStream(historyUrl(e, 'auth'));
    expect(await anonymous.next('error')).toMatchObject({ code: 'unauthenticated' });
    expect(await anonymous.closed).toBe(1008);
    const forged = rawStream(historyUrl(e, 'auth'), { authorization: 'Bearer aion_00000000_xx' });
    expect(await forged.next('error')).toMatchObject({ code: 'unauthenticated' });
    await h.signal('finish');
    await h.result();
    expect(await ok.closed).toBe(1000);
    expect(eventsOf(ok.frames)).toEqual((await h.fetchHistory()).events);
  });
});
