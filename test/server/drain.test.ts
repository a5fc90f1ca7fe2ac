import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

/** GET on a new TCP connection (no keep-alive reuse): proves the listener still accepts. */
function freshGet(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('server drain', () => {
  it('answers /readyz with 503 while draining, before the listener closes', async () => {
    // A grace period far longer than the test: it ends when the test closes the server.
    t = await startTestServer({ config: { drainGraceMs: 60 * 60_000 } });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

    const drained = t.server.drain();
    expect(await freshGet(`${t.url}/readyz`)).toMatchObject({
      status: 503,
      body: { code: 'unavailable' },
    });
    // Still live, and refusing new work with the same retryable code.
    expect(await freshGet(`${t.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    const start = await fetch(`${t.url}/api/v1/namespaces/default/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workflowType: 'greet', args: ['ann'] }),
    });
    expect(start.status).toBe(503);

    await t.server.close();
    await drained;
    await expect(freshGet(`${t.url}/readyz`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes the listener at once without a grace period (the default)', async () => {
    t = await startTestServer();
    await t.server.drain();
    await expect(freshGet(`${t.url}/readyz`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
