import { afterAll, beforeAll } from 'vitest';

/**
 * The errors that escape while this file's tests run (unhandled rejections, uncaught
 * exceptions), collected instead of failing the run elsewhere; registers the hooks. A test
 * expects the returned array to be empty, and may clear it.
 */
export function collectEscapedErrors(): unknown[] {
  const escaped: unknown[] = [];
  const onEscape = (err: unknown): void => void escaped.push(err);
  beforeAll(() => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  afterAll(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });
  return escaped;
}
