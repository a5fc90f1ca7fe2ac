// Payload encryption on the embedded engine over SQLite: every payload reaches the store
// encrypted (no marker string of any argument, result, signal, update, memo or failure detail
// is in the data file), runs complete, keys rotate, and a run whose history no configured key
// decrypts is parked with the reason.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ApplicationFailure, EncryptionCodec, CompressionCodec } from '../../src/index.js';
import type { Engine, EngineOptions } from '../../src/index.js';
import { engineOnFileEachTest } from '../support/engine-on-file.js';
import { parkedReason, untilTrue } from '../support/parked-runs.js';
import { quiet } from '../support/quiet-logger.js';

const workflowsPath = new URL('../fixtures/workflows/secrets.ts', import.meta.url).pathname;
const KEY_1 = Buffer.alloc(32, 1).toString('base64');
const KEY_2 = Buffer.alloc(32, 2).toString('base64');
const MARKER = /MARKER/;

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

function options(keys: { id: string; key: string }[]): Omit<EngineOptions, 'store'> {
  return {
    workflowsPath,
    activities,
    logger: quiet,
    payloadCodecs: [new CompressionCodec({ thresholdBytes: 64 }), new EncryptionCodec({ keys })],
    supervision: { maxRestarts: 1, withinMs: 60_000 },
  };
}

/** Every text or blob cell of every table of the SQLite file. */
function cells(db: string): string[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const out: string[] = [];
    for (const { name } of tables) {
      for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all() as object[]) {
        for (const v of Object.values(row)) {
          if (typeof v === 'string') out.push(v);
          else if (Buffer.isBuffer(v)) out.push(v.toString('latin1'));
        }
      }
    }
    return out;
  } finally {
    sqlite.close();
  }
}

/** The raw bytes of the store's files (database, WAL, shared memory). */
function rawFiles(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
    .join('\n');
}

describe('payload encryption on the embedded engine (SQLite)', () => {
  const fixture = engineOnFileEachTest('aion-encryption-');

  async function runSecrets(e: Engine): Promise<string[]> {
    const h = await e.start('secrets', {
      workflowId: 'secret-1',
      args: ['START-ARG-MARKER-7c4'],
      memo: { secret: 'START-MEMO-MARKER-2b8' },
    });
    const current = e.getHandle('secret-1');
    await untilTrue('round two', async () => (await current.describe()).runId !== h.runId);
    expect(await current.executeUpdate('amend', { args: ['UPDATE-ARG-MARKER-41a'] })).toBe(
      'UPDATE-ARG-MARKER-41a|UPDATE-RESULT-MARKER-c52',
    );
    expect(await current.query('peek')).toContain('UPDATE-ARG-MARKER-41a');
    await current.signal('confide', 'SIGNAL-MARKER-5e0');
    return (await current.result()) as string[];
  }

  it('completes activities, signals, queries, updates, children and continue-as-new, and stores no plaintext', async () => {
    const e = await fixture.open(options([{ id: 'k1', key: KEY_1 }]));
    const seen = await runSecrets(e);
    expect(seen).toEqual(
      expect.arrayContaining([
        'START-ARG-MARKER-7c4|CAN-ARG-MARKER-a19',
        'ACTIVITY-INPUT-MARKER-f33|ACTIVITY-RESULT-MARKER-0aa',
        'refused',
        'CHILD-ARG-MARKER-9d1|CHILD-RESULT-MARKER-e81',
        'UPDATE-ARG-MARKER-41a',
        'SIGNAL-MARKER-5e0',
      ]),
    );
    const described = await e.getHandle('secret-1').describe();
    expect(described.memo).toMatchObject({ note: 'UPSERTED-MEMO-MARKER-d07' });
    await fixture.close();

    const all = cells(fixture.db);
    expect(all.some((c) => c.includes('binary/encrypted'))).toBe(true);
    expect(all.filter((c) => MARKER.test(c))).toEqual([]);
    const raw = rawFiles(fixture.dir);
    const at = raw.search(MARKER);
    expect(at === -1 ? '' : raw.slice(at - 300, at + 100)).toBe('');
    expect(raw).not.toContain(KEY_1);
    // Failure messages stay readable by default (failure details are payloads: encrypted).
    expect(all.some((c) => c.includes('refused on purpose'))).toBe(true);
  });

  it('encodes failure messages and stack traces on request', async () => {
    const e = await fixture.open({
      ...options([{ id: 'k1', key: KEY_1 }]),
      encodeFailureAttributes: true,
    });
    expect(await runSecrets(e)).toContain('refused');
    await fixture.close();
    const raw = rawFiles(fixture.dir);
    expect(raw).not.toContain('refused on purpose');
    expect(raw).toContain('Encoded failure');
  });

  it('rotates keys: old payloads still decrypt, new ones use the new key', async () => {
    let e = await fixture.open(options([{ id: 'k1', key: KEY_1 }]));
    await e.start('keepSecret', { workflowId: 'rotate', args: ['OLD-ARG-MARKER-111'] });
    await fixture.close();

    e = await fixture.open(
      options([
        { id: 'k2', key: KEY_2 },
        { id: 'k1', key: KEY_1 },
      ]),
    );
    const h = e.getHandle('rotate');
    await h.signal('confide', 'NEW-SIGNAL-MARKER-222');
    expect(await h.result()).toBe('OLD-ARG-MARKER-111|NEW-SIGNAL-MARKER-222');
    await fixture.close();

    const history = cells(fixture.db).join('\n');
    expect(history).toContain('"encryption-key-id":"k1"');
    expect(history).toContain('"encryption-key-id":"k2"');
    expect(history).not.toMatch(MARKER);
  });

  it('parks a run whose history no configured key decrypts, naming the missing key', async () => {
    let e = await fixture.open(options([{ id: 'k1', key: KEY_1 }]));
    await e.start('keepSecret', { workflowId: 'lost-key', args: ['LOST-ARG-MARKER-333'] });
    await fixture.close();

    e = await fixture.open(options([{ id: 'k2', key: KEY_2 }]));
    const h = e.getHandle('lost-key');
    h.signal('confide', 'x').catch(() => undefined);
    const reason = await parkedReason(h);
    expect(reason).toContain('"k1"');
    expect(reason).toContain('not configured');
  });
});
