import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '../../src/index.js';

/** Absolute path of an example's workflows.ts. */
export function exampleWorkflows(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}/workflows.ts`, import.meta.url));
}

/** Wraps activities so that every call is recorded, in call order, by name. */
export function recording<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
): { activities: T; calls: string[] } {
  const calls: string[] = [];
  const wrapped = Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (...args: never[]) => {
        calls.push(name);
        return fn(...args);
      },
    ]),
  ) as T;
  return { activities: wrapped, calls };
}

/** Polls a query until `predicate` holds (queries can fail while a run is being rebuilt). */
export async function waitForQuery<T>(
  handle: WorkflowHandle,
  query: string,
  predicate: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await handle.query<T>(query).catch(() => undefined);
    if (value !== undefined && predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`query ${query} did not satisfy the predicate within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The failure a rejected promise carries. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}
