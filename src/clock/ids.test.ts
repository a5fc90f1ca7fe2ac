import { describe, expect, it } from 'vitest';
import { randomIds, SeededIds } from './ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('id sources', () => {
  it('random ids are v4 UUIDs and differ', () => {
    const a = randomIds.uuid();
    expect(a).toMatch(UUID);
    expect(randomIds.uuid()).not.toBe(a);
  });

  it('seeded ids are v4-shaped, distinct, and repeat for the same seed', () => {
    const a = new SeededIds(42);
    const b = new SeededIds(42);
    const first = Array.from({ length: 100 }, () => a.uuid());
    expect(first.every((id) => UUID.test(id))).toBe(true);
    expect(new Set(first).size).toBe(100);
    expect(Array.from({ length: 100 }, () => b.uuid())).toEqual(first);
    expect(new SeededIds(43).uuid()).not.toBe(first[0]);
  });
});
