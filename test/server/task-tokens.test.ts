import { afterEach, describe, expect, it } from 'vitest';
import { decodeTaskToken, encodeTaskToken } from '../../src/activity/complete-async.js';
import { untilTrue } from '../support/parked-runs.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  delete process.env.AION_TEST_ECHO_DELAY;
  await t?.stop();
  t = undefined;
});

const COMPLETE = '/api/v1/namespaces/default/activities/complete';

describe('task tokens', () => {
  it('a running attempt cannot be completed by its token, nor by a hand-built one; its own result stands', async () => {
    const { runningEchoes } = await import('./fixtures/approvals.js');
    runningEchoes.length = 0;
    process.env.AION_TEST_ECHO_DELAY = '3000';
    t = await startTestServer({ auth: true, roles: ['admin', 'worker'] });
    const started = await call(t.url, 'POST', '/api/v1/namespaces/default/workflows', {
      token: t.tokens.admin!,
      body: { workflowType: 'greet', workflowId: 'g-1', args: ['ada'] },
    });
    expect(started.status).toBe(201);
    await untilTrue('the echo attempt to run', () => Promise.resolve(runningEchoes.length > 0));
    const signed = runningEchoes[0]!;

    const early = await call(t.url, 'POST', COMPLETE, {
      token: t.tokens.worker!,
      body: { taskToken: signed, result: 'hijacked' },
    });
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('not_task_holder');

    const handBuilt = encodeTaskToken(decodeTaskToken(signed));
    const forged = await call(t.url, 'POST', COMPLETE, {
      token: t.tokens.worker!,
      body: { taskToken: handBuilt, result: 'hijacked' },
    });
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('task_token_invalid');

    const result = await t.engine.getHandle('g-1').result();
    expect(result).toBe('hi ada');
    const audit = await t.engine.store.readAudit({ limit: 100 });
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'activity.complete',
        outcome: 'error',
        code: 'not_task_holder',
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'activity.complete',
        outcome: 'error',
        code: 'task_token_invalid',
      }),
    );
  });

  it('rotated secrets: old tokens verify until retired', async () => {
    t = await startTestServer();
    const store = t.engine.store;
    await untilTrue('the first secret', async () => (await store.listTokenSecrets()).length > 0);
    const tokens = (await store.listTokenSecrets()).filter((s) => s.retiredAt === null);
    expect(tokens).toHaveLength(1);
    const fresh = await t.engine.rotateTaskTokenSecret();
    expect((await t.engine.store.listTokenSecrets())[0]!.id).toBe(fresh);
    expect(await t.engine.retireTaskTokenSecrets()).toEqual([tokens[0]!.id]);
  });
});
