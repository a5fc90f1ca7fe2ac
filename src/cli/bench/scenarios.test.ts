import { describe, expect, it } from 'vitest';
import { FAN_OUT_WARMUP_ACTIVITIES, fanOutWarmups, percentile } from './scenarios.js';

describe('S2 warm-up', () => {
  it('runs about FAN_OUT_WARMUP_ACTIVITIES activities in fan-outs of the measured width', () => {
    expect(fanOutWarmups(100)).toBe(30);
    expect(fanOutWarmups(1000)).toBe(3);
    expect(fanOutWarmups(300)).toBe(Math.ceil(FAN_OUT_WARMUP_ACTIVITIES / 300));
  });

  it('runs at least three fan-outs and at most thirty', () => {
    expect(fanOutWarmups(100_000)).toBe(3);
    expect(fanOutWarmups(10)).toBe(30);
    expect(fanOutWarmups(1)).toBe(30);
    expect(fanOutWarmups(0)).toBe(30);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  });
});
