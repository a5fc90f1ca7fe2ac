import { describe, expect, it } from 'vitest';
import { schemaFromDefinitions } from './index.js';

describe('schemaFromDefinitions', () => {
  it('builds the parser schema from a listing', () => {
    expect(schemaFromDefinitions([{ name: 'A', type: 'Int' }])).toEqual(new Map([['A', 'Int']]));
  });
});
