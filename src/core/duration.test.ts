import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads numbers and ms-style strings', () => {
    expect(parseDuration(1500)).toBe(1500);
    expect(parseDuration(' 5 minutes ')).toBe(300_000);
    expect(parseDuration('1d')).toBe(86_400_000);
  });

  it('refuses blank, unreadable, negative and huge values with invalid_argument naming the field', () => {
    for (const bad of ['', ' ', 'soon', '-1s', -1, Number.NaN, 'x'.repeat(200), '200 years']) {
      let caught: unknown;
      try {
        parseDuration(bad, 'retention');
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(bad)).toMatchObject({
        code: 'invalid_argument',
        details: { field: 'retention' },
      });
    }
  });
});
