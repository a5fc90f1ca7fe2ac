import assert from 'node:assert/strict';
import type { VisibilityExpr } from '../contract/index.js';
import { defined, rejectsWithCode, sorted } from './check.js';
import { event, jsonPayload, makeRunKey, startedEvent, T0 } from './fixtures.js';
import type { StoreScenario } from './types.js';
import {
  AMOUNT,
  and,
  builtin,
  CLOSE,
  cmp,
  CUSTOMER,
  DUE,
  not,
  NOTES,
  or,
  SCORE,
  START,
  STATUS,
  TAGS,
  TYPE,
  VIP,
} from './visibility-expr.js';
import { FIXTURES, seed } from './visibility-seed.js';

/** [filter, labels it must match] — every comparison operator and every attribute type. */
const CASES: readonly [string, VisibilityExpr | undefined, string[]][] = [
  ['no filter', undefined, ['R1', 'R2', 'R3', 'R4', 'R5', 'R6']],
  ['WorkflowType =', cmp(TYPE, '=', 'Order'), ['R1', 'R2', 'R6']],
  ['WorkflowType !=', cmp(TYPE, '!=', 'Order'), ['R3', 'R4', 'R5']],
  ['WorkflowType in', { op: 'in', field: TYPE, values: ['Refund', 'Invoice'] }, ['R3', 'R4', 'R5']],
  ['ExecutionStatus = RUNNING', cmp(STATUS, '=', 'RUNNING'), ['R2']],
  ['ExecutionStatus = PAUSED', cmp(STATUS, '=', 'PAUSED'), ['R4']],
  [
    'ExecutionStatus in',
    { op: 'in', field: STATUS, values: ['COMPLETED', 'FAILED'] },
    ['R1', 'R3'],
  ],
  [
    'StartTime between (inclusive)',
    { op: 'between', field: START, low: T0 + 200, high: T0 + 400 },
    ['R2', 'R3', 'R4'],
  ],
  ['StartTime <', cmp(START, '<', T0 + 300), ['R1', 'R2']],
  ['StartTime >=', cmp(START, '>=', T0 + 500), ['R5', 'R6']],
  ['CloseTime > (open runs never match)', cmp(CLOSE, '>', T0 + 1200), ['R3', 'R5', 'R6']],
  ['CloseTime <=', cmp(CLOSE, '<=', T0 + 1500), ['R1', 'R3']],
  [
    'CloseTime between',
    { op: 'between', field: CLOSE, low: T0 + 1000, high: T0 + 2000 },
    ['R1', 'R3', 'R5'],
  ],
  ['exists CloseTime', { op: 'exists', field: CLOSE }, ['R1', 'R3', 'R5', 'R6']],
  ['not exists CloseTime', not({ op: 'exists', field: CLOSE }), ['R2', 'R4']],
  ['Version =', cmp(builtin('Version'), '=', 'v2'), ['R6']],
  ['TaskQueue =', cmp(builtin('TaskQueue'), '=', 'other'), ['R6']],
  ['Stuck = true', cmp(builtin('Stuck'), '=', true), ['R4']],
  ['Keyword = (exact case)', cmp(CUSTOMER, '=', 'acme'), ['R1', 'R3']],
  ['Keyword != (missing never matches)', cmp(CUSTOMER, '!=', 'acme'), ['R2', 'R5', 'R6']],
  [
    'Keyword in',
    { op: 'in', field: CUSTOMER, values: ['globex', 'initech', 'nobody'] },
    ['R2', 'R5'],
  ],
  ['KeywordList contains', { op: 'contains', field: TAGS, value: 'eu' }, ['R1', 'R5']],
  ['KeywordList = matches any element', cmp(TAGS, '=', 'silver'), ['R2']],
  ['KeywordList in', { op: 'in', field: TAGS, values: ['gold', 'bronze'] }, ['R1', 'R5']],
  [
    'Text contains one token, any case',
    { op: 'contains', field: NOTES, value: 'berlin' },
    ['R1', 'R5'],
  ],
  ['Text contains every token', { op: 'contains', field: NOTES, value: 'Berlin delivery' }, ['R1']],
  [
    'Text contains tokens in any order',
    { op: 'contains', field: NOTES, value: 'RUSH berlin' },
    ['R1', 'R5'],
  ],
  [
    'Text contains matches tokens, not substrings',
    { op: 'contains', field: NOTES, value: 'berl' },
    [],
  ],
  ['Int >', cmp(AMOUNT, '>', 100), ['R2', 'R6']],
  ['Int >=', cmp(AMOUNT, '>=', 100), ['R1', 'R2', 'R6']],
  ['Int < 0', cmp(AMOUNT, '<', 0), ['R3']],
  ['Int between', { op: 'between', field: AMOUNT, low: -10, high: 100 }, ['R1', 'R3']],
  ['Int =', cmp(AMOUNT, '=', 1000), ['R6']],
  ['Double >', cmp(SCORE, '>', 0.5), ['R2']],
  ['Double <=', cmp(SCORE, '<=', 0.5), ['R1', 'R3']],
  ['Double between', { op: 'between', field: SCORE, low: -2, high: 1 }, ['R1', 'R3']],
  ['Bool = true', cmp(VIP, '=', true), ['R1', 'R5']],
  ['Bool = false', cmp(VIP, '=', false), ['R2']],
  ['Datetime <', cmp(DUE, '<', T0 + 6000), ['R1']],
  ['Datetime >=', cmp(DUE, '>=', T0 + 5000), ['R1', 'R2']],
  ['exists KeywordList', { op: 'exists', field: TAGS }, ['R1', 'R2', 'R5']],
  ['exists Bool', { op: 'exists', field: VIP }, ['R1', 'R2', 'R5']],
  ['and', and(cmp(TYPE, '=', 'Order'), cmp(STATUS, '!=', 'RUNNING')), ['R1', 'R6']],
  ['or', or(cmp(CUSTOMER, '=', 'globex'), cmp(AMOUNT, '<', 0)), ['R2', 'R3']],
  [
    'not over a missing attribute matches',
    not(cmp(CUSTOMER, '=', 'acme')),
    ['R2', 'R4', 'R5', 'R6'],
  ],
  ['not(or)', not(or(cmp(TYPE, '=', 'Order'), cmp(TYPE, '=', 'Refund'))), ['R5']],
  [
    'and(not exists, range)',
    and(not({ op: 'exists', field: TAGS }), cmp(START, '>', T0 + 250)),
    ['R3', 'R4', 'R6'],
  ],
  [
    'nested and/or/not',
    and(or(cmp(VIP, '=', true), cmp(CUSTOMER, '=', 'acme')), not(cmp(STATUS, '=', 'CANCELLED'))),
    ['R1', 'R3'],
  ],
];

export const visibilityFilterScenarios: StoreScenario[] = [
  {
    name: 'visibility: list and count match every filter exactly',
    tags: ['visibility'],
    async run({ store }) {
      const runs = await seed(store);
      const label = new Map([...runs].map(([l, r]) => [r.runId, l]));
      for (const [what, where, expected] of CASES) {
        const page = await store.listRuns({
          namespace: 'default',
          pageSize: 1000,
          ...(where ? { where } : {}),
        });
        assert.deepStrictEqual(
          sorted(page.items.map((i) => label.get(i.runId) ?? i.runId)),
          expected,
          `list: ${what}`,
        );
        assert.equal(page.nextCursor, undefined, `list: ${what}: one page`);
        assert.equal(await store.countRuns('default', where), expected.length, `count: ${what}`);
      }
      for (const info of (await store.listRuns({ namespace: 'default' })).items) {
        assert.deepStrictEqual(
          defined(info),
          defined(await store.getRun(info)),
          'a listed row equals getRun',
        );
      }
    },
  },
  {
    name: 'visibility: listed rows carry their typed search attributes and stuck flag',
    tags: ['visibility'],
    async run({ store }) {
      const runs = await seed(store);
      const listed = new Map(
        (await store.listRuns({ namespace: 'default', pageSize: 1000 })).items.map((i) => [
          i.runId,
          i,
        ]),
      );
      for (const f of FIXTURES) {
        const item = listed.get(runs.get(f.label)!.runId);
        assert.ok(item, `${f.label} is listed`);
        assert.deepStrictEqual(item.searchAttributes, f.sa, `${f.label}: search attributes`);
        assert.deepStrictEqual(
          item.stuck,
          f.stuck ? { reason: 'r', since: f.start } : undefined,
          `${f.label}: stuck`,
        );
      }
      // Cleared: the list shows it at once.
      const r4 = runs.get('R4')!;
      await store.commit([{ run: r4, expectedSeq: 2, events: [], visibility: { stuck: null } }]);
      const page = await store.listRuns({ namespace: 'default', where: cmp(TYPE, '=', 'Refund') });
      assert.equal(page.items.find((i) => i.runId === r4.runId)?.stuck, undefined, 'stuck cleared');
    },
  },
  {
    name: 'visibility: counts grouped by status and by type match every filter exactly',
    tags: ['visibility'],
    async run({ store }) {
      await seed(store);
      for (const [what, where] of CASES) {
        const items = (
          await store.listRuns({
            namespace: 'default',
            pageSize: 1000,
            ...(where ? { where } : {}),
          })
        ).items;
        for (const groupBy of ['ExecutionStatus', 'WorkflowType'] as const) {
          const tally = new Map<string, number>();
          for (const i of items) {
            const value = groupBy === 'ExecutionStatus' ? i.status : i.workflowType;
            tally.set(value, (tally.get(value) ?? 0) + 1);
          }
          const expected = [...tally]
            .map(([value, count]) => ({ value, count }))
            .sort((a, b) => (a.value < b.value ? -1 : 1));
          assert.deepStrictEqual(
            await store.countRunGroups('default', groupBy, where),
            expected,
            `${groupBy}: ${what}`,
          );
        }
      }
      assert.deepStrictEqual(await store.countRunGroups('other', 'ExecutionStatus'), []);
      await rejectsWithCode(
        store.countRunGroups('default', 'TaskQueue' as never),
        'invalid_argument',
        'grouping by a field that cannot be grouped',
      );
      await rejectsWithCode(
        store.countRunGroups('default', 'ExecutionStatus', cmp(STATUS, '=', 'BOGUS')),
        'invalid_argument',
        'grouping with an ill-typed filter',
      );
    },
  },
  {
    name: 'visibility: search-attribute and memo upserts are reflected (changed and removed values)',
    tags: ['visibility'],
    async run({ store }) {
      const run = makeRunKey();
      await store.append(
        run,
        [
          startedEvent({
            searchAttributes: {
              Customer: { type: 'Keyword', value: 'a' },
              Amount: { type: 'Int', value: 1 },
              Tags: { type: 'KeywordList', value: ['x'] },
            },
            memo: { keep: jsonPayload(1), drop: jsonPayload(2) },
          }),
        ],
        0,
      );
      await store.append(
        run,
        [
          event(2, T0 + 1, {
            type: 'SearchAttributesUpserted',
            searchAttributes: {
              Customer: { type: 'Keyword', value: 'b' },
              Amount: null,
              Tags: { type: 'KeywordList', value: ['y', 'z'] },
              Vip: { type: 'Bool', value: true },
              NeverSet: null,
            },
          }),
          event(3, T0 + 2, {
            type: 'MemoUpserted',
            memo: { drop: null, added: jsonPayload('new') },
          }),
        ],
        1,
      );
      const info = await store.getRun(run);
      assert.ok(info);
      assert.deepStrictEqual(info.searchAttributes, {
        Customer: { type: 'Keyword', value: 'b' },
        Tags: { type: 'KeywordList', value: ['y', 'z'] },
        Vip: { type: 'Bool', value: true },
      });
      assert.deepStrictEqual(info.memo, { keep: jsonPayload(1), added: jsonPayload('new') });
      const [listed] = (await store.listRuns({ namespace: 'default' })).items;
      assert.deepStrictEqual(listed?.searchAttributes, info.searchAttributes, 'listed as upserted');
      const count = (where: VisibilityExpr): Promise<number> => store.countRuns('default', where);
      assert.equal(await count(cmp(CUSTOMER, '=', 'a')), 0, 'old keyword value');
      assert.equal(await count(cmp(CUSTOMER, '=', 'b')), 1, 'new keyword value');
      assert.equal(await count({ op: 'exists', field: AMOUNT }), 0, 'removed attribute');
      assert.equal(await count(cmp(AMOUNT, '=', 1)), 0, 'removed attribute value');
      assert.equal(
        await count({ op: 'contains', field: TAGS, value: 'x' }),
        0,
        'replaced list element',
      );
      assert.equal(await count({ op: 'contains', field: TAGS, value: 'z' }), 1, 'new list element');
      assert.equal(await count(cmp(VIP, '=', true)), 1, 'added attribute');
      await store.append(
        run,
        [
          event(4, T0 + 3, {
            type: 'SearchAttributesUpserted',
            searchAttributes: { Customer: null },
          }),
        ],
        3,
      );
      assert.equal(await count({ op: 'exists', field: CUSTOMER }), 0);
      assert.equal(
        await count(cmp(CUSTOMER, '!=', 'zzz')),
        0,
        'a removed attribute never matches !=',
      );
    },
  },
  {
    name: 'visibility: ill-typed filters are invalid_argument',
    tags: ['visibility', 'validation'],
    async run({ store }) {
      await seed(store);
      const bad: [string, VisibilityExpr][] = [
        ['a string compared with StartTime', cmp(START, '>', 'yesterday')],
        ['an unknown ExecutionStatus', cmp(STATUS, '=', 'BOGUS')],
        ['contains on a builtin', { op: 'contains', field: TYPE, value: 'x' }],
        ['a number compared with a Keyword', cmp(CUSTOMER, '=', 5)],
      ];
      for (const [what, where] of bad) {
        await rejectsWithCode(
          store.listRuns({ namespace: 'default', where }),
          'invalid_argument',
          `list with ${what}`,
        );
        await rejectsWithCode(
          store.countRuns('default', where),
          'invalid_argument',
          `count with ${what}`,
        );
      }
    },
  },
];
