// Runs one case on a fresh embedded engine (memory store) and judges it against the case's
// expectation.
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import {
  buildPackage,
  createEngine,
  createMemoryStore,
  VirtualClock,
  WorkflowFailedError,
} from '../../src/index.js';
import type { Engine } from '../../src/index.js';
import type { FailureMatch, FailureView, SdkCase } from './case.js';

export interface RunLine {
  readonly kind: 'run';
  readonly name: string;
  readonly file: string;
  readonly type: string;
  readonly ok: boolean;
  /** What was observed when it did not match. */
  readonly got?: unknown;
  readonly mismatch?: string;
  /** Why it is known to fail (when the case records a gap). */
  readonly reason?: string;
  readonly gap?: string;
}

const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const CASE_DEADLINE_MS = 20_000;

/** The custom search attributes Temporal's development server registers for its tests. */
const TEST_SEARCH_ATTRIBUTES = {
  CustomKeywordField: 'Keyword',
  CustomIntField: 'Int',
  CustomBoolField: 'Bool',
  CustomTextField: 'Text',
  CustomDatetimeField: 'Datetime',
  CustomDoubleField: 'Double',
} as const;

/** Deploys the case's `with` files and registers the test search attributes. */
async function prepare(engine: Engine, workflowsDir: string, c: SdkCase): Promise<void> {
  await engine.registerSearchAttributes(TEST_SEARCH_ATTRIBUTES);
  for (const file of c.with ?? []) {
    const built = await buildPackage({ workflowsPath: path.join(workflowsDir, file) });
    await engine.deploy(built.archive);
  }
}

type Outcome =
  { readonly value: unknown } | { readonly failure: FailureView } | { readonly error: FailureView };

/** The error as a plain view: name, failure type, message, details and its cause chain. */
export function viewOf(err: unknown, depth = 0): FailureView {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err) };
  const e = err as Error & { type?: unknown; nonRetryable?: unknown; details?: unknown };
  const cause = depth < 5 && e.cause !== undefined ? viewOf(e.cause, depth + 1) : undefined;
  return {
    name: e.name,
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    message: e.message,
    ...(typeof e.nonRetryable === 'boolean' ? { nonRetryable: e.nonRetryable } : {}),
    ...(Array.isArray(e.details) && e.details.length > 0 ? { details: e.details } : {}),
    ...(cause ? { cause } : {}),
  };
}

/** Undefined when `view` matches `m`, else what differs. */
export function matchFailure(
  view: FailureView | undefined,
  m: FailureMatch,
  at = '',
): string | undefined {
  if (!view) return `${at}no failure`;
  if (m.name !== undefined && view.name !== m.name) return `${at}name ${view.name} ≠ ${m.name}`;
  if (m.type !== undefined && view.type !== m.type) return `${at}type ${view.type} ≠ ${m.type}`;
  if (m.nonRetryable !== undefined && view.nonRetryable !== m.nonRetryable)
    return `${at}nonRetryable ${String(view.nonRetryable)} ≠ ${String(m.nonRetryable)}`;
  const msg = m.message;
  if (typeof msg === 'string' && view.message !== msg) return `${at}message differs`;
  if (msg instanceof RegExp && !msg.test(view.message)) return `${at}message ≁ ${String(msg)}`;
  return m.cause ? matchFailure(view.cause, m.cause, `${at}cause.`) : undefined;
}

/** A log line as the sandbox's console writes it: strings as they are, the rest as JSON. */
function logLine(args: readonly unknown[]): string {
  return args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

function judgeLogs(c: SdkCase, lines: readonly string[]): string | undefined {
  if (!c.logs) return undefined;
  const want = c.logs.map(logLine);
  return isDeepStrictEqual(lines, want) ? undefined : `logs ${JSON.stringify(lines)}`;
}

function judge(c: SdkCase, o: Outcome): string | undefined {
  const x = c.expect;
  if ('result' in x) {
    if (!('value' in o)) return 'expected a result';
    return isDeepStrictEqual(o.value, x.result) ? undefined : 'result differs';
  }
  if ('failure' in x)
    return 'failure' in o ? matchFailure(o.failure, x.failure) : 'expected the run to fail';
  if ('error' in x) return 'error' in o ? matchFailure(o.error, x.error) : 'expected an error';
  return 'value' in o ? x.check(o.value) : 'expected a value';
}

async function outcomeOf(c: SdkCase, engine: Engine, id: string): Promise<Outcome> {
  try {
    const handle = await engine.start(c.type, {
      workflowId: id,
      args: [...(c.args ?? [])],
      ...(c.start ?? {}),
    });
    const drive = c.drive ?? ((d) => d.handle.result());
    return { value: await withDeadline(drive({ engine, handle })) };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { failure: viewOf(err.cause) };
    return { error: viewOf(err) };
  }
}

async function withDeadline<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no outcome in ${CASE_DEADLINE_MS} ms`)),
      CASE_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runCase(workflowsDir: string, c: SdkCase): Promise<RunLine> {
  const head = { kind: 'run', name: c.name, file: c.file, type: c.type } as const;
  let engine: Engine | undefined;
  let outcome: Outcome;
  const lines: string[] = [];
  try {
    engine = await createEngine({
      store: createMemoryStore(),
      workflowsPath: path.join(workflowsDir, c.file),
      logger: QUIET,
      workflowLogger: (l) => lines.push(l.message),
      ...(c.activities ? { activities: c.activities } : {}),
      ...(c.activityQueue ? { taskQueue: c.activityQueue } : {}),
      ...(c.clock === 'virtual' ? { clock: new VirtualClock() } : {}),
    });
    await prepare(engine, workflowsDir, c);
    outcome = await outcomeOf(c, engine, `yardstick-${c.name}`);
  } catch (err) {
    outcome = { error: viewOf(err) };
  } finally {
    await engine?.shutdown({ timeoutMs: 5_000 }).catch(() => undefined);
  }
  const mismatch = judge(c, outcome) ?? judgeLogs(c, lines);
  if (mismatch === undefined) return { ...head, ok: true };
  const got = 'value' in outcome ? outcome.value : outcome;
  const gap = c.gap ? { gap: c.gap.kind, reason: c.gap.reason } : {};
  return { ...head, ok: false, mismatch, got, ...gap };
}
