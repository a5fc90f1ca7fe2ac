// A start over the HTTP API writes its audit entry in the run's own start commit: one store
// transaction per start, and an entry only for a run the store accepted. Starts that create no
// run (refused by the id policy, or answered with the existing run) write theirs as before.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, RunCommit, Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { call, startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The store transactions the engine asked for: group commits and audit appends. */
interface Writes {
  commits: { runs: readonly RunCommit[]; audit: readonly AuditEntry[]; accepted?: boolean[] }[];
  appends: (readonly AuditEntry[])[];
}

/** A SQLite store whose commit and appendAudit calls are recorded. */
async function recordingStore(file: string, writes: Writes): Promise<Store> {
  const store = await openSqliteStore({ path: file });
  const commit = store.commit.bind(store);
  const append = store.appendAudit.bind(store);
  store.commit = async (runs, audit) => {
    const call: Writes['commits'][number] = { runs, audit: audit ?? [] };
    writes.commits.push(call);
    const outcomes = await commit(runs, audit);
    call.accepted = outcomes.map((o) => o.ok);
    return outcomes;
  };
  store.appendAudit = (entries) => {
    writes.appends.push(entries);
    return append(entries);
  };
  return store;
}

async function serverWithAuditFile(): Promise<{ writes: Writes; file: string; token: string }> {
  dir = mkdtempSync(path.join(tmpdir(), 'aion-start-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  const writes: Writes = { commits: [], appends: [] };
  const dbFile = path.join(dir, 'aion.db');
  t = await startTestServer({
    auth: true,
    roles: ['operator'],
    store: () => recordingStore(dbFile, writes),
    config: { auditLog: file },
  });
  return { writes, file, token: t.tokens.operator! };
}

function start(token: string, body: Record<string, unknown>) {
  return call(t!.url, 'POST', '/api/v1/namespaces/default/workflows', {
    token,
    body: { workflowType: 'counter', args: [0], ...body },
  });
}

/** The audit file's lines (read once the server closed it). */
function fileLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audit entry of a start over HTTP', () => {
  it('is written by the run’s start commit: one store transaction, in the trail and the file', async () => {
    const { writes, file, token } = await serverWithAuditFile();
    writes.commits.length = 0;
    writes.appends.length = 0;

    const res = await start(token, { workflowId: 'audited-start' });
    expect(res.status).toBe(201);

    // One store transaction: the run's start commit, carrying the entry; no audit write of its own.
    expect(writes.appends).toEqual([]);
    expect(writes.commits).toHaveLength(1);
    const [only] = writes.commits;
    const startCommit = only!.runs.find((c) => c.run.workflowId === 'audited-start');
    expect(startCommit?.expectedSeq).toBe(0);
    expect(startCommit?.audit).toEqual([
      expect.objectContaining({ action: 'workflow.start', target: 'audited-start', outcome: 'ok' }),
    ]);

    const trail = (await t!.engine.store.readAudit({ limit: 100 })).filter(
      (e) => e.action === 'workflow.start',
    );
    expect(trail).toEqual([
      {
        seq: expect.any(Number),
        time: expect.any(Number),
        subject: expect.stringContaining('test-operator'),
        action: 'workflow.start',
        namespace: 'default',
        target: 'audited-start',
        outcome: 'ok',
        code: null,
        count: 1,
      },
    ]);

    // The file line is the stored entry, as for every other mutation.
    await t!.server.close();
    const { seq: _seq, time, code: _code, count: _count, ...rest } = trail[0]!;
    expect(fileLines(file).filter((l) => l.action === 'workflow.start')).toEqual([
      { time: new Date(time).toISOString(), ...rest },
    ]);
  });

  it('a start refused by the id policy records an error entry and no ok entry; an existing run returned is audited ok', async () => {
    const { writes, file, token } = await serverWithAuditFile();
    expect((await start(token, { workflowId: 'dup' })).status).toBe(201);
    writes.commits.length = 0;
    writes.appends.length = 0;

    const refused = await start(token, { workflowId: 'dup' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('workflow_already_started');
    // The start went to its commit without reading the id's run first (ADR 0022): the commit
    // carrying its entry was refused, so no ok entry was written; its error entry went alone.
    const carrying = writes.commits.flatMap((c) =>
      c.runs.flatMap((r, i) => (r.audit !== undefined ? [c.accepted?.[i]] : [])),
    );
    expect(carrying.length).toBeGreaterThan(0);
    expect(carrying.every((accepted) => accepted === false)).toBe(true);
    expect(writes.appends.flat().map((e) => [e.outcome, e.code])).toEqual([
      ['error', 'workflow_already_started'],
    ]);

    // USE_EXISTING answers with the open run: no run is created, the ok entry is written alone.
    const existing = await start(token, {
      workflowId: 'dup',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    expect(existing.status).toBe(201);

    // A failed call's entry names no target (the route has none in its path), as before.
    const trail = (await t!.engine.store.readAudit({ limit: 100 }))
      .filter((e) => e.action === 'workflow.start')
      .map((e) => [e.outcome, e.code, e.target]);
    expect(trail).toEqual([
      ['ok', null, 'dup'],
      ['error', 'workflow_already_started', null],
      ['ok', null, 'dup'],
    ]);
    await t!.server.close();
    expect(
      fileLines(file)
        .filter((l) => l.action === 'workflow.start')
        .map((l) => [l.outcome, l.code ?? null, l.target ?? null]),
    ).toEqual([
      ['ok', null, 'dup'],
      ['error', 'workflow_already_started', null],
      ['ok', null, 'dup'],
    ]);
  });
});
