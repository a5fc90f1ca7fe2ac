import assert from 'node:assert/strict';
import type { Failure, HistoryEvent, Payload } from '../../core/index.js';
import { defined } from './check.js';
import { event, makeRunKey, startRun, startedEvent, T0, taskRow, timerRow } from './fixtures.js';
import { custom, cmp } from './visibility-expr.js';
import type { StoreScenario } from './types.js';

/** Payload `data` strings that must come back byte for byte (stores keep payloads opaque). */
export const EDGE_DATA: readonly [string, string][] = [
  ['empty string', ''],
  ['empty JSON string', '""'],
  ['empty array', '[]'],
  ['empty object', '{}'],
  ['nested nulls', '{"a":null,"b":[null,{"c":null}],"d":[[null]]}'],
  ['max safe integers', `[${2 ** 53 - 1},${-(2 ** 53 - 1)}]`],
  ['extreme doubles', '[1e308,5e-324,-0,0.1,1.7976931348623157e308]'],
  ['astral and RTL text', '"😀 𝄞 𠜎 — مرحبا بالعالم — שָׁלוֹם — ﷺ"'],
  ['combining marks, BOM, zero-width', '"e\u0301 \ufeff a\u200db \u2028\u2029"'],
  ['NUL and control characters inside a string', '"a\u0000b\u0001c\u001f\u007f"'],
  ['raw NUL, quotes, backslashes, newlines (not JSON)', 'x\u0000y"z\\n\\\r\n\t'],
  ['whitespace kept verbatim', '  { "spaced" : [ 1 , 2 ] }\n'],
];

const ONE_MB = (() => {
  const unit = 'abc😀ü\u0000"\\\n';
  return unit.repeat(Math.ceil(1_000_000 / unit.length)).slice(0, 1_000_000);
})();

const DEEP_FAILURE: Failure = {
  type: 'ÜberError',
  message: 'failed: 😀\nline 2 \u0000 end',
  stack: 'ÜberError: failed\n    at f (file:///ü.ts:1:1)',
  retryable: false,
  details: [{ encoding: 'json/plain', data: '{"x":[null]}' }],
  cause: {
    type: 'Inner',
    message: '',
    retryable: true,
    cause: { type: 'Root', message: 'root', retryable: true },
  },
  source: 'activity',
};

export const payloadScenarios: StoreScenario[] = [
  {
    name: 'payloads: edge-case payload data round-trips exactly',
    tags: ['payloads'],
    async run({ store }) {
      const run = makeRunKey();
      const payloads: Payload[] = EDGE_DATA.map(([, data], i) => ({
        encoding: i % 2 === 0 ? 'json/plain' : 'binary/custom',
        data,
        ...(i % 3 === 0 ? { metadata: { 'ключ 😀': 'wert\u0000', empty: '' } } : {}),
      }));
      const events: HistoryEvent[] = [
        startedEvent({ args: payloads }),
        ...EDGE_DATA.map(([what, data], i) =>
          event(i + 2, T0 + i, {
            type: 'SignalReceived',
            signalName: what,
            args: [{ encoding: 'json/plain', data }],
          }),
        ),
        event(EDGE_DATA.length + 2, T0, {
          type: 'SignalReceived',
          signalName: 'one megabyte',
          args: [{ encoding: 'x', data: ONE_MB }],
        }),
        event(EDGE_DATA.length + 3, T0, {
          type: 'ActivityFailed',
          scheduledSeq: 2,
          failure: DEEP_FAILURE,
          attempt: 3,
        }),
        event(EDGE_DATA.length + 4, T0, {
          type: 'MemoUpserted',
          memo: { gone: null, kept: { encoding: 'json/plain', data: 'null' } },
        }),
      ];
      await store.append(run, events, 0);
      const back = await store.readHistory(run);
      assert.deepStrictEqual(back, events);
      const start = back[0];
      assert.ok(start?.type === 'WorkflowStarted');
      for (const [i, [what, data]] of EDGE_DATA.entries()) {
        assert.equal(start.args[i]?.data, data, `started arg: ${what}`);
        const signal = back[i + 1];
        assert.ok(signal?.type === 'SignalReceived');
        assert.equal(signal.args[0]?.data, data, `signal arg: ${what}`);
      }
      const big = back[EDGE_DATA.length + 1];
      assert.ok(big?.type === 'SignalReceived');
      assert.equal(big.args[0]?.data.length, ONE_MB.length, 'the 1 MB string keeps its length');
      assert.ok(big.args[0]?.data === ONE_MB, 'the 1 MB string is identical');
    },
  },
  {
    name: 'payloads: task and timer rows keep edge-case text exactly (ids, names, inputs, data)',
    tags: ['payloads', 'tasks', 'timers'],
    async run({ store }) {
      const { run } = await startRun(store);
      // What array literals must quote or escape: quotes, backslashes, commas, braces, the
      // word NULL, whitespace; and what they need not (unicode).
      const odd = ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', ' h ', '', 'ü😀'];
      const tasks = odd.map((text, i) => ({
        ...taskRow(run, `act ${i} ${text}`, { activityType: `type ${text}`, scheduledSeq: i + 2 }),
        input: [{ encoding: 'json/plain', data: JSON.stringify({ text }) }],
        options: JSON.stringify({ note: text }),
      }));
      const timers = odd.map((text, i) => ({
        ...timerRow(run, `timer ${i} ${text}`, T0 + i, `kind ${text}`),
        data: text,
      }));
      const [outcome] = await store.commit([
        { run, expectedSeq: 1, events: [], tasks: { enqueue: tasks }, timers: { upsert: timers } },
      ]);
      assert.deepStrictEqual(outcome, { ok: true, headSeq: 1 });
      for (const t of tasks) {
        const back = await store.getTask(run.namespace, t.taskId);
        assert.ok(back, `task ${JSON.stringify(t.activityId)} is stored`);
        assert.deepStrictEqual(
          [back.activityId, back.activityType, back.input, back.options],
          [t.activityId, t.activityType, t.input, t.options],
          `task ${JSON.stringify(t.activityId)}`,
        );
      }
      const byId = new Map((await store.listTimers(run)).map((t) => [t.timerId, t]));
      for (const t of timers) {
        const back = byId.get(t.timerId);
        assert.ok(back, `timer ${JSON.stringify(t.timerId)} is stored`);
        assert.deepStrictEqual([back.kind, back.data], [t.kind, t.data], `timer ${t.timerId}`);
      }
    },
  },
  {
    name: 'payloads: extreme numbers in events and search attributes round-trip (−0 may become 0)',
    tags: ['payloads', 'visibility'],
    async run({ store }) {
      const run = makeRunKey();
      const sa = {
        MaxInt: { type: 'Int', value: 2 ** 53 - 1 },
        MinInt: { type: 'Int', value: -(2 ** 53 - 1) },
        Huge: { type: 'Double', value: 1e308 },
        Tiny: { type: 'Double', value: 5e-324 },
        Fraction: { type: 'Double', value: 0.1 },
        When: { type: 'Datetime', value: 8_640_000_000_000_000 },
      } as const;
      const events: HistoryEvent[] = [
        startedEvent({ searchAttributes: sa }),
        event(2, 2 ** 53 - 1, {
          type: 'TimerStarted',
          timerId: 't',
          durationMs: 2 ** 53 - 1,
          fireAt: 2 ** 53 - 1,
        }),
      ];
      await store.append(run, events, 0);
      assert.deepStrictEqual(await store.readHistory(run), events);
      const info = await store.getRun(run);
      assert.deepStrictEqual(info?.searchAttributes, sa);
      const count = (where: Parameters<typeof store.countRuns>[1]): Promise<number> =>
        store.countRuns('default', where);
      assert.equal(
        await count(cmp(custom('MaxInt', 'Int'), '=', 2 ** 53 - 1)),
        1,
        'MaxInt = 2^53-1',
      );
      assert.equal(
        await count(cmp(custom('MaxInt', 'Int'), '=', 2 ** 53 - 2)),
        0,
        'MaxInt is not 2^53-2',
      );
      assert.equal(await count(cmp(custom('MinInt', 'Int'), '<', -(2 ** 53 - 2))), 1, 'MinInt');
      assert.equal(await count(cmp(custom('Huge', 'Double'), '>=', 1e308)), 1, 'Huge');
      assert.equal(await count(cmp(custom('Tiny', 'Double'), '>', 0)), 1, 'Tiny is above zero');
      assert.equal(await count(cmp(custom('Fraction', 'Double'), '=', 0.1)), 1, 'Fraction = 0.1');

      // −0 is not representable in JSON text; it may come back as 0 (and must compare equal to 0).
      const negZero = makeRunKey();
      await store.append(
        negZero,
        [startedEvent({ searchAttributes: { Z: { type: 'Double', value: -0 } } })],
        0,
      );
      const z = (await store.getRun(negZero))?.searchAttributes.Z;
      assert.ok(z?.type === 'Double' && z.value === 0, '−0 reads back as 0 or −0');
      assert.equal(await count(cmp(custom('Z', 'Double'), '=', 0)), 1);
    },
  },
  {
    name: 'payloads: unicode ids, names and attributes round-trip and match',
    tags: ['payloads', 'visibility'],
    async run({ store }) {
      const run = makeRunKey({ workflowId: 'заказ/😀/שלום/\u00e9\u0301 #1' });
      const sa = {
        Kunde: { type: 'Keyword', value: 'Müller & Söhne 😀' },
        Notiz: { type: 'Text', value: 'Straße der Grüße — ÉCOLE 東京' },
        Etiketten: { type: 'KeywordList', value: ['α', 'β', ''] },
      } as const;
      const events = [
        startedEvent({ workflowType: 'Bestellung-ü', taskQueue: 'очередь', searchAttributes: sa }),
      ];
      await store.append(run, events, 0);
      assert.deepStrictEqual(await store.readHistory(run), events);
      const info = await store.getRun(run);
      assert.deepStrictEqual(
        [info?.workflowId, info?.workflowType, info?.taskQueue],
        [run.workflowId, 'Bestellung-ü', 'очередь'],
      );
      assert.deepStrictEqual(info?.searchAttributes, sa);
      assert.deepStrictEqual(
        defined(await store.getCurrentRun(run.namespace, run.workflowId)),
        defined(info),
      );
      const count = (where: Parameters<typeof store.countRuns>[1]): Promise<number> =>
        store.countRuns('default', where);
      assert.equal(
        await count(cmp({ kind: 'builtin', name: 'WorkflowId' }, '=', run.workflowId)),
        1,
      );
      assert.equal(await count(cmp(custom('Kunde', 'Keyword'), '=', 'Müller & Söhne 😀')), 1);
      assert.equal(
        await count({ op: 'contains', field: custom('Notiz', 'Text'), value: 'grüße école' }),
        1,
        'case-insensitive tokens',
      );
      assert.equal(
        await count({ op: 'contains', field: custom('Etiketten', 'KeywordList'), value: 'β' }),
        1,
      );
      assert.equal(
        await count({ op: 'contains', field: custom('Etiketten', 'KeywordList'), value: 'γ' }),
        0,
      );
    },
  },
];
