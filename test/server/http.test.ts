import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowFailedError } from '../../src/client/index.js';
import { ApplicationFailure } from '../../src/core/index.js';
import { buildPackage } from '../../src/package/index.js';
import { call, fixturesPath, startTestServer, type TestServer } from './helpers.js';
import { codeOf } from '../support/errors.js';
import { capture } from '../support/cli-io.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function clientOf(server: TestServer, token?: string): Promise<Client> {
  const connection = await Connection.connect({
    address: server.url,
    ...(token ? { apiKey: token } : {}),
  });
  return new Client({ connection });
}

describe('HTTP API + remote client', () => {
  it('starts, signals, queries, updates and reads workflows; results and failures come back typed', async () => {
    t = await startTestServer();
    const client = await clientOf(t);

    await t.engine.registerSearchAttributes({ CustomerId: 'Keyword' });
    expect(
      await client.workflow.execute('greet', {
        args: ['ada'],
        searchAttributes: { CustomerId: 'c-7' },
      }),
    ).toBe('hi ada');

    const h = await client.workflow.start('counter', { workflowId: 'c-1', args: [1] });
    await h.signal('add', 2);
    await h.signalWithRequestId('req-1', 'add', 10);
    await h.signalWithRequestId('req-1', 'add', 10); // idempotent: recorded once
    expect(await h.query('count')).toBe(13);
    expect(await h.executeUpdate('set', { args: [40], updateId: 'u-1' })).toBe(40);
    await h.signal('add', 2);
    await h.signal('finish');
    expect(await h.result()).toBe(42);

    const d = await h.describe();
    expect(d.status).toBe('COMPLETED');
    expect(d.startTime).toBeInstanceOf(Date);
    expect(d.closeTime).toBeInstanceOf(Date);
    expect(d.workflowType).toBe('counter');

    // Full export and windowed, resumable history.
    const full = await h.fetchHistory();
    expect(full.format).toBe('aion-history');
    expect(full.events.at(-1)?.type).toBe('WorkflowCompleted');
    const page1 = await h.fetchHistoryPage({ fromSeq: 1, maxEvents: 3 });
    expect(page1.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(page1.nextSeq).toBe(4);
    const rest = await h.fetchHistoryPage({ fromSeq: page1.nextSeq!, maxEvents: 10_000 });
    expect([...page1.events, ...rest.events]).toEqual(full.events);
    expect(rest.nextSeq).toBeNull();

    // A failed workflow's result is WorkflowFailedError with the rebuilt cause.
    const f = await client.workflow.start('failing', { args: ['no stock'] });
    const err = await f.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).message).toBe('no stock');

    // List and count with the query language and shorthand filters.
    expect(await client.workflow.count({ query: "WorkflowType = 'counter'" })).toBe(1);
    const listed = await client.workflow.list({ workflowType: 'greet' });
    expect(listed.items.map((i) => i.workflowType)).toEqual(['greet']);
    expect(listed.items[0]!.startTime).toBeInstanceOf(Date);
    // Each item carries the run's typed search attributes and its stuck flag.
    expect(listed.items[0]).toMatchObject({
      searchAttributes: { CustomerId: { type: 'Keyword', value: 'c-7' } },
      stuck: false,
    });
    const raw = await call(t.url, 'GET', '/api/v1/namespaces/default/workflows?workflowType=greet');
    expect((raw.body.items as Record<string, unknown>[])[0]).toMatchObject({
      searchAttributes: { CustomerId: { type: 'Keyword', value: 'c-7' } },
      stuck: false,
      version: expect.any(String),
    });
    expect(await client.workflow.count({ status: 'FAILED' })).toBe(1);
  });

  it('cancel, terminate, pause/resume, reset and signal-with-start work over HTTP', async () => {
    t = await startTestServer();
    const client = await clientOf(t);
    const a = await client.workflow.start('counter', { workflowId: 'a', args: [0] });
    await a.pause('maintenance');
    expect((await a.describe()).status).toBe('PAUSED');
    await a.resume();
    await a.signal('add', 5);
    expect(await a.query('count')).toBe(5);
    await a.terminate('done here');
    expect((await a.describe()).status).toBe('TERMINATED');

    const oldRunId = (await a.describe()).runId;
    const reset = await a.reset({ to: 'firstWorkflowTask', reason: 'again' });
    expect(reset.runId).toBeDefined();
    expect(reset.runId).not.toBe(oldRunId);
    expect((await a.describe()).runId).toBe(reset.runId);
    await reset.signal('finish');
    // The signal sent after the reset point is re-applied on the new run (Temporal's default).
    expect(await reset.result()).toBe(5);

    const b = await client.workflow.signalWithStart('counter', {
      workflowId: 'b',
      args: [100],
      signal: 'add',
      signalArgs: [1],
    });
    expect(await b.query('count')).toBe(101);
    await b.cancel('not needed');
    const cancelled = await b.result().then(
      () => 'completed',
      (e: unknown) => (e as WorkflowFailedError).status,
    );
    expect(cancelled).toBe('CANCELLED');

    // The start response names the run it started.
    const started = await call(t.url, 'POST', '/api/v1/namespaces/default/workflows', {
      body: { workflowType: 'greet', workflowId: 'g-run', args: ['bo'] },
    });
    expect(started.status).toBe(201);
    expect(started.body.runId).toBe((await client.getHandle('g-run').describe()).runId);
  });

  it('rejects bad input with a clear code and changes nothing', async () => {
    t = await startTestServer({ maxBodyBytes: 64 * 1024 });
    const ns = '/api/v1/namespaces/default';
    const unknownField = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'greet', args: ['x'], bogus: true },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({ code: 'invalid_argument' });
    expect(unknownField.body.message).toContain('bogus');

    const missing = await call(t.url, 'POST', `${ns}/workflows`, { body: { args: [] } });
    expect(missing.body).toMatchObject({ code: 'invalid_argument' });
    expect(missing.body.message).toContain('workflowType');

    const badJson = await call(t.url, 'POST', `${ns}/workflows`, {
      raw: '{"workflowType":',
      contentType: 'application/json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('invalid_argument');

    const tooBig = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'greet', args: ['x'.repeat(100_000)] },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('payload_too_large');

    const wrongType = await call(t.url, 'POST', `${ns}/workflows`, {
      raw: 'hello',
      contentType: 'text/plain',
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.code).toBe('invalid_argument');

    const unknownType = await call(t.url, 'POST', `${ns}/workflows`, {
      body: { workflowType: 'nope' },
    });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body.code).toBe('unknown_workflow_type');

    const badPage = await call(t.url, 'GET', `${ns}/workflows?pageSize=0`);
    expect(badPage.body.code).toBe('invalid_argument');
    const badStatus = await call(t.url, 'GET', `${ns}/workflows?status=Running`);
    expect(badStatus.body.code).toBe('invalid_argument');
    const badQuery = await call(
      t.url,
      'GET',
      `${ns}/workflows?query=${encodeURIComponent('Nope ==')}`,
    );
    expect(badQuery.status).toBe(400);

    const otherNs = await call(t.url, 'GET', '/api/v1/namespaces/other/workflows');
    expect(otherNs.status).toBe(404);
    expect(otherNs.body.code).toBe('not_found');
    const noRoute = await call(t.url, 'GET', '/api/v1/nothing');
    expect(noRoute.body.code).toBe('not_found');

    const client = await clientOf(t);
    expect(await codeOf(() => client.getHandle('missing').describe())).toBe('not_found');
    expect(await codeOf(() => client.getHandle('missing').signal('add', 1))).toBe('not_found');
    expect(await codeOf(() => client.getHandle('missing').result())).toBe('not_found');
    const unknownRun = await call(
      t.url,
      'GET',
      `${ns}/workflows/missing/result?runId=r-1&waitMs=0`,
    );
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.body.code).toBe('not_found');
    expect(await client.workflow.count()).toBe(0);
  });

  it('deploys, lists, routes and unloads packages; oversize and corrupt uploads are refused', async () => {
    t = await startTestServer({ maxPackageBytes: 4 * 1024 * 1024 });
    const client = await clientOf(t);
    const built = await buildPackage({ workflowsPath: fixturesPath, name: 'fixtures' });
    // The startup path already deployed the same bytes.
    expect(await client.deploy(built.archive)).toEqual({
      version: built.version,
      freshlyLoaded: false,
      routeChanged: false,
    });
    const dir = path.dirname(fixturesPath);
    const v2src = readFileSync(fixturesPath, 'utf8').replace('`hi ${name}`', '`hello ${name}`');
    const v2file = path.join(t.dataDir, 'workflows-v2.ts');
    const { writeFileSync, copyFileSync } = await import('node:fs');
    writeFileSync(v2file, v2src);
    copyFileSync(path.join(dir, 'activities.ts'), path.join(t.dataDir, 'activities.ts'));
    const v2 = await buildPackage({ workflowsPath: v2file, name: 'fixtures' });
    const deployed = await client.deploy(v2.archive);
    expect(deployed).toEqual({ version: v2.version, freshlyLoaded: true, routeChanged: true });
    expect(await client.workflow.execute('greet', { args: ['bo'] })).toBe('hello bo');

    const versions = await client.versions();
    expect(versions.map((v) => v.version).sort()).toEqual([built.version, v2.version].sort());
    expect(versions.find((v) => v.version === v2.version)?.routedTypes).toContain('greet');
    expect(versions[0]!.deployedAt).toBeInstanceOf(Date);

    for (const { name } of built.manifest.workflowTypes) await client.route(name, built.version);
    expect(await client.workflow.execute('greet', { args: ['bo'] })).toBe('hi bo');
    expect(await codeOf(() => client.unload(built.version))).toBe('invalid_state');
    await client.unload(v2.version);
    expect((await client.versions()).map((v) => v.version)).toEqual([built.version]);
    expect(await codeOf(() => client.route('greet', '0'.repeat(64)))).toBe('not_found');
    expect(await codeOf(() => client.route('greet', 'short'))).toBe('invalid_argument');

    const corrupt = await call(t.url, 'POST', '/api/v1/namespaces/default/packages', {
      raw: new Uint8Array([1, 2, 3]),
    });
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.code).toBe('package_invalid');
    const oversize = await call(t.url, 'POST', '/api/v1/namespaces/default/packages', {
      raw: new Uint8Array(5 * 1024 * 1024),
    });
    expect(oversize.status).toBe(413);
    expect(oversize.body.code).toBe('payload_too_large');
    expect((await client.versions()).length).toBe(1);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    t = await startTestServer();
    expect(await call(t.url, 'GET', '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await call(t.url, 'GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    const client = await clientOf(t);
    await client.workflow.execute('greet', { args: ['m'] });
    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^aion_workflows_started_total(\{[^}]*\})? [1-9]/m);
    expect(text).toMatch(
      /^aion_http_requests_total\{[^}]*route="\/api\/v1\/namespaces\/:namespace\/workflows"[^}]*\} [1-9]/m,
    );
    expect(text).toContain('aion_commit_seconds_bucket');

    // An activity on a queue nobody serves waits in the backlog, visible in metrics and /workers.
    await client.workflow.start('greet', {
      workflowId: 'queued',
      args: ['q'],
      taskQueue: 'remote-only',
    });
    let backlogLine: string | undefined;
    for (let i = 0; i < 100 && !backlogLine; i++) {
      const scraped = await (await fetch(`${t.url}/metrics`)).text();
      backlogLine = scraped
        .split('\n')
        .find(
          (l) =>
            l.startsWith('aion_task_queue_backlog{') &&
            l.includes('task_queue="remote-only"') &&
            l.endsWith(' 1'),
        );
      if (!backlogLine) await new Promise((r) => setTimeout(r, 50));
    }
    expect(backlogLine).toContain('namespace="default"');
    const workers = await call(t.url, 'GET', '/api/v1/namespaces/default/workers');
    expect(workers.body.taskQueues).toContainEqual(
      expect.objectContaining({ name: 'remote-only', backlog: 1, running: 0 }),
    );
    await client.getHandle('queued').terminate();
    const after = await (await fetch(`${t.url}/metrics`)).text();
    expect(after).toMatch(/^aion_task_queue_backlog\{[^}]*task_queue="remote-only"[^}]*\} 0$/m);
  });
});

describe('async activity completion', () => {
  it('completes and fails activities by task token over the API; tokens of another namespace are unknown', async () => {
    const { pendingApprovals } = await import('./fixtures/approvals.js');
    const { decodeTaskToken } = await import('../../src/activity/complete-async.js');
    pendingApprovals.length = 0;
    t = await startTestServer();
    const client = await clientOf(t);
    const a = await client.workflow.start('awaitApproval', { workflowId: 'ap-1', args: ['x'] });
    const b = await client.workflow.start('awaitApproval', { workflowId: 'ap-2', args: ['y'] });
    for (let i = 0; i < 200 && pendingApprovals.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const tokenOf = (id: string): string =>
      pendingApprovals.find((tok) => decodeTaskToken(tok).workflowId === id)!;
    const tokenA = tokenOf('ap-1');
    const tokenB = tokenOf('ap-2');
    expect(pendingApprovals).toHaveLength(2);

    await client.createNamespace('elsewhere');
    const other = new Client({ connection: client.connection, namespace: 'elsewhere' });
    expect(await codeOf(() => other.activity.complete(pendingApprovals[0]!, 'nope'))).toBe(
      'not_found',
    );
    expect(await codeOf(() => client.activity.complete('garbage', 1))).toBe('invalid_argument');

    await client.activity.complete(tokenA, 'ok by ops');
    await client.activity.fail(tokenB ?? pendingApprovals[1]!, {
      message: 'denied',
      type: 'Denied',
    });
    expect(await a.result()).toBe('approved: ok by ops');
    expect(await b.result()).toBe('rejected: denied');
    // A token whose attempt is already settled is unknown.
    expect(await codeOf(() => client.activity.complete(pendingApprovals[0]!, 'again'))).toBe(
      'not_found',
    );
  });
});

describe('live history', () => {
  it('handle.subscribe and aion watch follow a run to its end, every event once and in order', async () => {
    t = await startTestServer();
    const client = await clientOf(t);
    const h = await client.workflow.start('counter', { workflowId: 'w-1', args: [0] });
    const seen: number[] = [];
    const consumed = (async () => {
      for await (const e of h.subscribe()) seen.push(e.seq);
    })();
    await h.signal('add', 1);
    await h.signal('add', 2);
    await h.signal('finish');
    expect(await h.result()).toBe(3);
    await consumed;
    const stored = (await h.fetchHistory()).events.map((e) => e.seq);
    expect(seen).toEqual(stored);

    const { main } = await import('../../src/cli/main.js');
    const watched = capture();
    expect(await main(['watch', 'w-1', '--address', t.url], watched)).toBe(0);
    const lines = watched.out.trimEnd().split('\n');
    expect(lines).toHaveLength(stored.length);
    expect(lines[0]).toMatch(/^\s+1 .* WorkflowStarted\s+workflowType=counter/);
    expect(lines.at(-1)).toMatch(/WorkflowCompleted/);

    // Tables colour statuses on a terminal only.
    const tty = capture(true);
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect(await main(['list', '--address', t.url], tty)).toBe(0);
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
    expect(tty.out).toContain('\u001b[32mCOMPLETED');
    const piped = capture();
    expect(await main(['list', '--address', t.url], piped)).toBe(0);
    expect(piped.out).not.toContain('\u001b[');
    expect(piped.out).toMatch(/w-1\s+counter\s+COMPLETED/);
  });
});

describe('namespaces over HTTP', () => {
  it("creates, lists, describes and updates namespaces; a caller never sees another namespace's workflow", async () => {
    t = await startTestServer();
    const admin = await clientOf(t);
    const created = await admin.createNamespace('team-a', {
      description: 'Team A',
      retention: '7 days',
    });
    expect(created).toMatchObject({ name: 'team-a', created: true, retentionMs: 7 * 86_400_000 });
    expect((await admin.createNamespace('team-a')).created).toBe(false);
    expect((await admin.listNamespaces()).map((n) => n.name)).toEqual(['default', 'team-a']);
    expect(await admin.updateNamespace('team-a', { retention: null })).toMatchObject({
      retentionMs: null,
    });

    const teamA = new Client({ connection: admin.connection, namespace: 'team-a' });
    expect(await codeOf(() => teamA.workflow.start('greet', { args: ['x'] }))).toBe(
      'unknown_workflow_type',
    );
    await teamA.deploy((await buildPackage({ workflowsPath: fixturesPath })).archive);
    const mine = await teamA.workflow.start('counter', { workflowId: 'private', args: [7] });
    expect(await mine.query('count')).toBe(7);
    // The default namespace does not see it: the same not_found as a missing workflow.
    expect(await codeOf(() => admin.getHandle('private').describe())).toBe('not_found');
    expect(await codeOf(() => admin.getHandle('private').signal('add', 1))).toBe('not_found');
    expect(await admin.workflow.count()).toBe(0);
    expect(await teamA.workflow.count()).toBe(1);
    expect(await teamA.describeNamespace()).toMatchObject({
      name: 'team-a',
      description: 'Team A',
    });

    // The same id in the default namespace is another workflow; results never cross over.
    const theirs = await admin.workflow.start('counter', { workflowId: 'private', args: [1] });
    const results = Promise.all([mine.result(), theirs.result()]);
    await mine.signal('finish');
    await theirs.signal('finish');
    expect(await results).toEqual([7, 1]);

    const ghost = new Client({ connection: admin.connection, namespace: 'ghost' });
    expect(await codeOf(() => ghost.workflow.count())).toBe('not_found');
    expect(await codeOf(() => admin.describeNamespace('ghost'))).toBe('not_found');
    const bad = await call(t.url, 'POST', '/api/v1/namespaces', { body: { name: 'Bad Name!' } });
    expect(bad.body.code).toBe('invalid_argument');
    const shortRetention = await call(t.url, 'POST', '/api/v1/namespaces', {
      body: { name: 'x', retention: '5s' },
    });
    expect(shortRetention.body.code).toBe('invalid_argument');
    const blankRetention = await call(t.url, 'POST', '/api/v1/namespaces', {
      body: { name: 'x', retention: ' ' },
    });
    expect([blankRetention.status, blankRetention.body.code]).toEqual([400, 'invalid_argument']);
  });
});

describe('batch operations', () => {
  it('signals, then terminates every run a query matches, with progress; a re-submitted job id signals once', async () => {
    t = await startTestServer();
    const client = await clientOf(t);
    for (let i = 0; i < 5; i++)
      await client.workflow.start('counter', { workflowId: `b-${i}`, args: [i] });
    await client.workflow.start('greet', { workflowId: 'other', args: ['x'] });
    const until = async (jobId: string) => {
      for (;;) {
        const job = await client.batch.describe(jobId);
        if (job.state !== 'RUNNING') return job;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const query = "WorkflowType = 'counter' AND ExecutionStatus = 'RUNNING'";
    const started = await client.batch.start({
      jobId: 'add-10',
      query,
      operation: { type: 'signal', signal: 'add', args: [10] },
    });
    expect(started.jobId).toBe('add-10');
    const done = await until('add-10');
    expect(done).toMatchObject({ state: 'COMPLETED', matched: 5, succeeded: 5, failed: 0 });
    for (let i = 0; i < 5; i++)
      expect(await client.getHandle(`b-${i}`).query('count')).toBe(i + 10);

    // The same job id again: every signal carries the same request id, so nothing changes.
    await client.batch.start({
      jobId: 'add-10',
      query,
      operation: { type: 'signal', signal: 'add', args: [10] },
    });
    expect(await until('add-10')).toMatchObject({ state: 'COMPLETED', matched: 5 });
    for (let i = 0; i < 5; i++)
      expect(await client.getHandle(`b-${i}`).query('count')).toBe(i + 10);

    const term = await client.batch.start({
      query,
      operation: { type: 'terminate', reason: 'cleanup' },
    });
    expect(await until(term.jobId)).toMatchObject({ state: 'COMPLETED', matched: 5, succeeded: 5 });
    expect(await client.workflow.count({ query: "ExecutionStatus = 'TERMINATED'" })).toBe(5);
    expect((await client.getHandle('other').describe()).status).not.toBe('TERMINATED');
    expect((await client.batch.list()).map((j) => j.jobId)).toContain('add-10');

    expect(
      await codeOf(() => client.batch.start({ query: 'Nope ==', operation: { type: 'cancel' } })),
    ).toBe('invalid_argument');
    const badOp = await call(t.url, 'POST', '/api/v1/namespaces/default/batches', {
      body: { query, operation: { type: 'explode' } },
    });
    expect(badOp.body.code).toBe('invalid_argument');
    expect(await codeOf(() => client.batch.describe('nope'))).toBe('not_found');
  });
});
