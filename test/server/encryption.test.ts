// Payload encryption through `aion server` (keys from AION_ENCRYPTION_KEYS) with a remote
// worker serving the activities and the remote client driving the run: the run completes, the
// data directory holds no plaintext, history is encrypted unless an operator asks the server
// to decode it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Connection } from '../../src/client/index.js';
import { ApplicationFailure, EncryptionCodec } from '../../src/index.js';
import { Worker } from '../../src/worker/index.js';
import { cli, spawnAion, until, type AionProcess } from '../support/aion-process.js';
import { listeningUrl } from '../support/aion-server.js';

const workflowsPath = new URL('../fixtures/workflows/secrets.ts', import.meta.url).pathname;
const KEY_1 = Buffer.alloc(32, 5).toString('base64');
const MARKER = /MARKER/;
const quiet = (): void => undefined;

const activities = {
  reveal: async (input: string) => `${input}|ACTIVITY-RESULT-MARKER-0aa`,
  refuse: async (_input: string): Promise<string> => {
    throw ApplicationFailure.nonRetryable(
      'refused on purpose',
      'Refused',
      'FAILURE-DETAILS-MARKER-66f',
    );
  },
};

let server: AionProcess | undefined;
let worker: Worker | undefined;
let dir: string | undefined;
afterEach(async () => {
  await worker?.shutdown();
  server?.child.kill('SIGKILL');
  await server?.exited;
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = worker = dir = undefined;
});

function rawFiles(d: string): string {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

async function runSecrets(client: Client): Promise<string[]> {
  const latest = client.workflow.getHandle('secret-s');
  // Round one continues as new at once; round two answers queries.
  await until('round two', async () => ((await latest.query('peek')) ? true : undefined));
  const { runId } = await latest.describe();
  // Address round two by its run id: what the update, query and signal are for.
  const current = client.workflow.getHandle('secret-s', runId);
  expect(await current.executeUpdate('amend', { args: ['UPDATE-ARG-MARKER-41a'] })).toBe(
    'UPDATE-ARG-MARKER-41a|UPDATE-RESULT-MARKER-c52',
  );
  expect(await current.query('peek')).toContain('UPDATE-ARG-MARKER-41a');
  await current.signal('confide', 'SIGNAL-MARKER-5e0');
  return (await current.result()) as string[];
}

describe('payload encryption through aion server and a remote worker', () => {
  it('completes the run, stores no plaintext, and decodes history only on request', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'aion-server-encryption-'));
    server = spawnAion(
      [
        'server',
        '--port',
        '0',
        '--no-auth',
        '--data-dir',
        dir,
        '--workflows',
        workflowsPath,
        '--log-level',
        'warn',
      ],
      { env: { AION_ENCRYPTION_KEYS: `k1:${KEY_1}`, AION_PAYLOAD_COMPRESSION_THRESHOLD: '64' } },
    );
    const url = await listeningUrl(server);
    worker = await Worker.create({
      connection: { address: url },
      taskQueue: 'default',
      activities,
      identity: 'secrets-worker',
      logger: quiet,
      // The same key as the server's: values cross the worker connection encrypted too.
      payloadCodecs: [new EncryptionCodec({ keys: [{ id: 'k1', key: KEY_1 }] })],
    });
    const running = worker.run();
    await until('the worker to register', () => (worker?.state === 'running' ? true : undefined));
    const client = new Client({ connection: await Connection.connect({ address: url }) });

    await client.workflow.start('secrets', {
      workflowId: 'secret-s',
      args: ['START-ARG-MARKER-7c4'],
      memo: { secret: 'START-MEMO-MARKER-2b8' },
    });
    const seen = await runSecrets(client);
    expect(seen).toEqual(
      expect.arrayContaining([
        'START-ARG-MARKER-7c4|CAN-ARG-MARKER-a19',
        'ACTIVITY-INPUT-MARKER-f33|ACTIVITY-RESULT-MARKER-0aa',
        'CHILD-ARG-MARKER-9d1|CHILD-RESULT-MARKER-e81',
        'SIGNAL-MARKER-5e0',
      ]),
    );

    const stored = JSON.stringify(await client.workflow.getHandle('secret-s').fetchHistory());
    expect(stored).toContain('binary/encrypted');
    expect(stored).not.toMatch(MARKER);
    const decoded = JSON.stringify(
      await client.workflow.getHandle('secret-s').fetchHistory({ decode: true }),
    );
    expect(decoded).toContain('SIGNAL-MARKER-5e0');
    const exported = await cli(['history', 'secret-s', '--decode', '--address', url]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('UPDATE-ARG-MARKER-41a');

    await worker.shutdown();
    await running;
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const raw = rawFiles(dir);
    const at = raw.search(MARKER);
    expect(at === -1 ? '' : raw.slice(Math.max(0, at - 200), at + 60)).toBe('');
    expect(raw).not.toContain(KEY_1);
  });
});

describe('decoded history needs the operator role', () => {
  it('refuses decode=true to a reader key and lets an operator through', async () => {
    const { Harness } = await import('../worker/harness.js');
    const { harness, tokens } = await Harness.start({
      auth: true,
      keys: [
        { name: 'r', role: 'reader' },
        { name: 'o', role: 'operator' },
      ],
    });
    try {
      const history = (token: string, decode: string) =>
        fetch(`${harness.url}/api/v1/namespaces/default/workflows/none/history?decode=${decode}`, {
          headers: { authorization: `Bearer ${token}` },
        }).then(async (r) => ({ status: r.status, body: await r.json() }));
      expect(await history(tokens[0]!, 'true')).toMatchObject({
        status: 403,
        body: { code: 'permission_denied' },
      });
      expect(await history(tokens[0]!, 'false')).toMatchObject({ status: 404 });
      expect(await history(tokens[1]!, 'true')).toMatchObject({ status: 404 });
      expect(await history(tokens[1]!, 'yes')).toMatchObject({ status: 400 });
    } finally {
      await harness.close();
    }
  });
});
