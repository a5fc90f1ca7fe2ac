// The remote client over a real server on loopback: a burst of starts shares a bounded set of
// keep-alive sockets (so the server's connection-rate limit never drops one), and a start
// whose answer is lost is sent again and answered with the run it started.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, isAionError } from '../../src/client/index.js';
import { NEW_REQUEST_ID_HEADER } from '../../src/protocol/index.js';
import { startTestServer, type TestServer } from './helpers.js';

let ts: TestServer;
let accepted = 0;

beforeAll(async () => {
  // A low connection-rate limit: a client opening one socket per call would be cut off.
  ts = await startTestServer({ config: { maxConnectionRate: 50 } });
  ts.server.app.server.on('connection', () => {
    accepted++;
  });
});

afterAll(async () => {
  await ts?.stop();
});

describe('remote client connection pool', () => {
  it('runs a burst of 2,000 concurrent starts over at most `connections` sockets', async () => {
    const connection = await Connection.connect({ address: ts.url, connections: 8 });
    const client = new Client({ connection });
    try {
      const before = accepted;
      const handles = await Promise.all(
        Array.from({ length: 2000 }, (_, i) =>
          client.workflow.start('counter', { workflowId: `burst-${i}`, args: [i] }),
        ),
      );
      expect(new Set(handles.map((h) => h.firstExecutionRunId)).size).toBe(2000);
      expect(accepted - before).toBeLessThanOrEqual(8);
      expect(await client.workflow.count({ workflowType: 'counter' })).toBeGreaterThanOrEqual(2000);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('waits for results on their own sockets, so other calls are not held up', async () => {
    const connection = await Connection.connect({
      address: ts.url,
      connections: 1,
      longPollConnections: 4,
    });
    const client = new Client({ connection });
    try {
      const handles = await Promise.all(
        [1, 2, 3].map((i) =>
          client.workflow.start('counter', { workflowId: `lp-${i}`, args: [0] }),
        ),
      );
      const results = handles.map((h) => h.result());
      // Three results wait on the long-poll sockets; the one ordinary socket stays free.
      for (const h of handles) await h.signal('add', 2);
      for (const h of handles) await h.signal('finish');
      expect(await Promise.all(results)).toEqual([2, 2, 2]);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('closes its sockets on close()', async () => {
    const sockets: Socket[] = [];
    const track = (s: Socket): void => void sockets.push(s);
    ts.server.app.server.on('connection', track);
    const connection = await Connection.connect({ address: ts.url });
    await new Client({ connection }).workflow.count();
    ts.server.app.server.off('connection', track);
    await connection.close();
    await expect.poll(() => sockets.every((s) => s.destroyed || s.closed)).toBe(true);
    await expect(connection.request('GET', '/healthz')).rejects.toThrow();
  });
});

interface LossyProxy {
  readonly url: string;
  starts(): number;
  /** Per start sent through it: whether it carried the new-request-id header. */
  readonly marked: boolean[];
  close(): Promise<void>;
}

/**
 * A proxy in front of the test server that drops the answer of the first call matching `lose`.
 * It forwards the new-request-id header, and records for each start whether it carried it.
 */
async function lossyProxy(target: string, lose: RegExp): Promise<LossyProxy> {
  let starts = 0;
  const marked: boolean[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isStart = req.method === 'POST' && lose.test(req.url ?? '');
      const fresh = req.headers[NEW_REQUEST_ID_HEADER];
      if (isStart) {
        starts++;
        marked.push(fresh === '1');
      }
      const first = isStart && starts === 1;
      void fetch(target + req.url, {
        method: req.method ?? 'GET',
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          ...(typeof fresh === 'string' ? { [NEW_REQUEST_ID_HEADER]: fresh } : {}),
        },
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }).then(async (answer) => {
        const text = await answer.text();
        // The server committed the start; the client never hears of it.
        if (first) return void req.socket.destroy();
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    starts: () => starts,
    marked,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `body` with a client whose calls go through a lossyProxy (retries 10 ms apart), then
 * closes both.
 */
async function throughLossyProxy(
  lose: RegExp,
  body: (client: Client, proxy: LossyProxy) => Promise<void>,
): Promise<void> {
  const proxy = await lossyProxy(ts.url, lose);
  const connection = await Connection.connect({
    address: proxy.url,
    retry: { initialIntervalMs: 10 },
  });
  const client = new Client({ connection });
  try {
    await body(client, proxy);
  } finally {
    await client.close();
    await proxy.close();
  }
}

describe('remote client start retries', () => {
  it('sends a start again after its answer was lost and gets the run it started', async () => {
    await throughLossyProxy(/\/workflows$/, async (client, proxy) => {
      const handle = await client.workflow.start('counter', { workflowId: 'lost-answer' });
      expect(proxy.starts()).toBe(2);
      const current = await ts.engine.client.workflow.getHandle('lost-answer').describe();
      expect(handle.firstExecutionRunId).toBe(current.runId);
      // One run: the second send was recognised by its request id.
      const runs = await client.workflow.list({ query: "WorkflowId = 'lost-answer'" });
      expect(runs.items).toHaveLength(1);
      // Another start (another request id) of the open workflow still conflicts.
      const again = await client.workflow
        .start('counter', { workflowId: 'lost-answer' })
        .catch((e: unknown) => e);
      expect(isAionError(again) && again.code).toBe('workflow_already_started');
    });
  }, 60_000);

  it('marks only the first send of a start as new; the retry finds the run even once it closed', async () => {
    await throughLossyProxy(/\/workflows$/, async (client, proxy) => {
      // `greet` closes at once: by the time the retry arrives the run it started may be closed,
      // and only the request id recognises it (the open-run check of the start commit cannot).
      const handle = await client.workflow.start('greet', {
        workflowId: 'lost-closed',
        args: ['x'],
      });
      expect(proxy.starts()).toBe(2);
      expect(proxy.marked).toEqual([true, false]);
      const runs = await client.workflow.list({ query: "WorkflowId = 'lost-closed'" });
      expect(runs.items.map((r) => r.runId)).toEqual([handle.firstExecutionRunId]);
      // A start with the caller's own request id is never marked: the caller may have sent it before.
      const own = await client.workflow.start('greet', {
        workflowId: 'lost-closed-own',
        requestId: 'mine-1',
        args: ['y'],
      });
      expect(proxy.marked).toEqual([true, false, false]);
      await own.result();
      const again = await client.workflow.start('greet', {
        workflowId: 'lost-closed-own',
        requestId: 'mine-1',
        args: ['y'],
      });
      expect(again.firstExecutionRunId).toBe(own.firstExecutionRunId);
    });
  }, 60_000);

  it('sends a signal-with-start again after its answer was lost; the run gets one signal', async () => {
    await throughLossyProxy(/\/signal-with-start$/, async (client, proxy) => {
      const handle = await client.workflow.signalWithStart('counter', {
        workflowId: 'lost-sws',
        args: [0],
        signal: 'add',
        signalArgs: [5],
      });
      expect(proxy.starts()).toBe(2);
      expect(await handle.query('count')).toBe(5);
      // Again on the open run (another call): its answer arrives, and the signal is added.
      await client.workflow.signalWithStart('counter', {
        workflowId: 'lost-sws',
        args: [0],
        signal: 'add',
        signalArgs: [1],
      });
      expect(await handle.query('count')).toBe(6);
    });
  }, 60_000);

  it('returns the same run for a start sent twice with the same requestId', async () => {
    const connection = await Connection.connect({ address: ts.url });
    const client = new Client({ connection });
    try {
      const options = { workflowId: 'same-request', requestId: 'req-1' };
      const a = await client.workflow.start('counter', options);
      const b = await client.workflow.start('counter', options);
      expect(b.firstExecutionRunId).toBe(a.firstExecutionRunId);
    } finally {
      await client.close();
    }
  });
});
