import { describe, expect, it } from 'vitest';
import { randomIds, SeededIds, uuidV7 } from './ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('id sources', () => {
  it('random ids are v7 UUIDs that differ and sort by the time they were made', () => {
    const ids = Array.from({ length: 1000 }, () => randomIds.uuid());
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(1000);
    const early = uuidV7(Date.UTC(2026, 0, 1));
    const later = uuidV7(Date.UTC(2026, 0, 1) + 1);
    expect(early < later).toBe(true);
    // The first 48 bits are the time in milliseconds.
    expect(Number.parseInt(later.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1) + 1);
    expect(Number.parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBeLessThanOrEqual(
      Date.now(),
    );
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
