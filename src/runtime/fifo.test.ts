import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('takes items in order across compactions, with items put in front', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    expect(q.length).toBe(2000);
    q.pushFront([-2, -1]);
    expect(q.shift()).toBe(-2);
    expect(q.shift()).toBe(-1);
    q.push(5000);
    expect(q.last()).toBe(5000);
    expect(q.takeAll()).toEqual(Array.from({ length: 2001 }, (_, i) => 3000 + i));
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
    expect(q.last()).toBeUndefined();
  });
});
