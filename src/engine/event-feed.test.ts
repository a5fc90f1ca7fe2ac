import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../core/index.js';
import { EventFeed, type CommittedEvents } from './event-feed.js';

const run = (workflowId: string, namespace = 'default') => ({
  namespace,
  workflowId,
  runId: `r-${workflowId}`,
});
const started = {
  seq: 1,
  recordedAt: 0,
  v: 1,
  type: 'WorkflowStarted',
  workflowType: 'T',
} as unknown as HistoryEvent;
const task = { seq: 2, recordedAt: 0, v: 1, type: 'WorkflowTaskCompleted' } as HistoryEvent;

describe('EventFeed', () => {
  it('is inactive without listeners and routes keyed and namespace subscriptions', () => {
    const errors: unknown[] = [];
    const feed = new EventFeed((e) => errors.push(e));
    expect(feed.active).toBe(false);
    const keyed: CommittedEvents[] = [];
    const ns: CommittedEvents[] = [];
    const other: CommittedEvents[] = [];
    const offKeyed = feed.subscribe((b) => keyed.push(b), {
      namespace: 'default',
      workflowId: 'a',
    });
    feed.subscribe((b) => ns.push(b), { namespace: 'default' });
    feed.subscribe((b) => other.push(b), { namespace: 'other' });
    expect(feed.active).toBe(true);
    expect(feed.listenerCount).toBe(3);
    feed.publish(run('a'), undefined, [started]);
    feed.publish(run('b'), 'U', [task]);
    feed.publish(run('a'), 'T', []);
    expect(keyed.map((b) => [b.workflowId, b.workflowType, b.events.length])).toEqual([
      ['a', 'T', 1],
    ]);
    expect(ns.map((b) => [b.workflowId, b.workflowType])).toEqual([
      ['a', 'T'],
      ['b', 'U'],
    ]);
    expect(other).toEqual([]);
    offKeyed();
    offKeyed();
    expect(feed.listenerCount).toBe(2);
    feed.publish(run('a'), 'T', [task]);
    expect(keyed).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('isolates a throwing listener from the others', () => {
    const errors: unknown[] = [];
    const feed = new EventFeed((e) => errors.push(e));
    const seen: string[] = [];
    feed.subscribe(() => {
      throw new Error('bad listener');
    });
    feed.subscribe((b) => seen.push(b.workflowId));
    feed.publish(run('a'), 'T', [task]);
    expect(seen).toEqual(['a']);
    expect(String(errors[0])).toContain('bad listener');
    expect(() => feed.subscribe(() => undefined, { workflowId: 'a' })).toThrow(TypeError);
  });
});
