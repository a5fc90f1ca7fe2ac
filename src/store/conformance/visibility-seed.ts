import type { RunKey, SearchAttributes, TerminalEventType } from '../../core/index.js';
import type { Store } from '../contract/index.js';
import { event, makeRunKey, startedEvent, T0, terminalEvent } from './fixtures.js';

interface Fixture {
  readonly label: string;
  readonly type: string;
  readonly start: number;
  readonly close?: { readonly at: number; readonly as: TerminalEventType };
  readonly paused?: boolean;
  readonly stuck?: boolean;
  readonly version?: string;
  readonly taskQueue?: string;
  readonly sa: SearchAttributes;
}

export const FIXTURES: readonly Fixture[] = [
  {
    label: 'R1',
    type: 'Order',
    start: T0 + 100,
    close: { at: T0 + 1000, as: 'WorkflowCompleted' },
    sa: {
      Customer: { type: 'Keyword', value: 'acme' },
      Tags: { type: 'KeywordList', value: ['gold', 'eu'] },
      Notes: { type: 'Text', value: 'Rush delivery to Berlin' },
      Amount: { type: 'Int', value: 100 },
      Score: { type: 'Double', value: 0.5 },
      Vip: { type: 'Bool', value: true },
      Due: { type: 'Datetime', value: T0 + 5000 },
    },
  },
  {
    label: 'R2',
    type: 'Order',
    start: T0 + 200,
    sa: {
      Customer: { type: 'Keyword', value: 'globex' },
      Tags: { type: 'KeywordList', value: ['silver'] },
      Notes: { type: 'Text', value: 'standard delivery' },
      Amount: { type: 'Int', value: 250 },
      Score: { type: 'Double', value: 2.25 },
      Vip: { type: 'Bool', value: false },
      Due: { type: 'Datetime', value: T0 + 9000 },
    },
  },
  {
    label: 'R3',
    type: 'Refund',
    start: T0 + 300,
    close: { at: T0 + 1500, as: 'WorkflowFailed' },
    sa: {
      Customer: { type: 'Keyword', value: 'acme' },
      Amount: { type: 'Int', value: -5 },
      Score: { type: 'Double', value: -1.5 },
    },
  },
  { label: 'R4', type: 'Refund', start: T0 + 400, paused: true, stuck: true, sa: {} },
  {
    label: 'R5',
    type: 'Invoice',
    start: T0 + 500,
    close: { at: T0 + 2000, as: 'WorkflowCancelled' },
    sa: {
      Customer: { type: 'Keyword', value: 'initech' },
      Tags: { type: 'KeywordList', value: ['eu', 'bronze'] },
      Notes: { type: 'Text', value: 'BERLIN, rush!' },
      Vip: { type: 'Bool', value: true },
    },
  },
  {
    label: 'R6',
    type: 'Order',
    start: T0 + 600,
    close: { at: T0 + 2500, as: 'WorkflowTerminated' },
    version: 'v2',
    taskQueue: 'other',
    sa: { Customer: { type: 'Keyword', value: 'Acme' }, Amount: { type: 'Int', value: 1000 } },
  },
];

/** Creates the six fixture runs (plus a decoy in another namespace); returns label → run. */
export async function seed(store: Store): Promise<Map<string, RunKey>> {
  const runs = new Map<string, RunKey>();
  for (const f of FIXTURES) {
    const run = makeRunKey();
    runs.set(f.label, run);
    const events = [
      startedEvent({
        at: f.start,
        workflowType: f.type,
        searchAttributes: f.sa,
        ...(f.version === undefined ? {} : { version: f.version }),
        ...(f.taskQueue === undefined ? {} : { taskQueue: f.taskQueue }),
      }),
    ];
    if (f.paused) events.push(event(2, f.start + 1, { type: 'WorkflowPaused' }));
    if (f.close) events.push(terminalEvent(events.length + 1, f.close.at, f.close.as));
    await store.append(run, events, 0);
    if (f.stuck) {
      await store.commit([
        {
          run,
          expectedSeq: events.length,
          events: [],
          visibility: { stuck: { reason: 'r', since: f.start } },
        },
      ]);
    }
  }
  const decoy = makeRunKey({ namespace: 'decoy' });
  await store.append(
    decoy,
    [startedEvent({ at: T0 + 100, workflowType: 'Order', searchAttributes: FIXTURES[0]!.sa })],
    0,
  );
  return runs;
}
