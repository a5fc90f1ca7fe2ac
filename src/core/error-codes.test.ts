import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from './error-codes.js';
import { AionError, isAionError, SequenceConflictError } from './errors.js';

describe('error code registry', () => {
  it('matches the snapshot (codes only grow; changing one is a breaking change)', () => {
    expect(ERROR_CODES).toMatchSnapshot();
  });

  it('has snake_case codes, valid HTTP statuses and exit codes, and a description', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z][a-z_]*[a-z]$/);
      expect(spec.http).toBeGreaterThanOrEqual(400);
      expect(spec.http).toBeLessThan(600);
      expect(spec.exitCode).toBeGreaterThan(0);
      expect(spec.exitCode).toBeLessThan(64);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it('brands errors so identity survives realms', () => {
    const err = new SequenceConflictError('r', 0, 1);
    expect(isAionError(err)).toBe(true);
    expect(err.code).toBe('sequence_conflict');
    expect(err.httpStatus).toBe(409);
    expect(err.retryable).toBe(true);
    expect(isAionError(new Error('x'))).toBe(false);
    expect(isAionError({ code: 'internal' })).toBe(false);
    expect(isErrorCode('not_found')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(new AionError('not_found', 'gone').toJSON()).toEqual({
      code: 'not_found',
      message: 'gone',
      details: {},
    });
  });
});

describe('docs/errors.md', () => {
  it('documents every code with its HTTP status and exit code', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(doc).toContain(
        `| \`${code}\` | ${spec.http} | ${spec.retryable ? 'yes' : 'no'} | ${spec.exitCode} |`,
      );
    }
  });
});
