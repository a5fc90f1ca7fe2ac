// Cases from `packages/test/src/test-workflows.ts`: Temporal runs each workflow in its VM and
// compares activations; here the workflow runs to its end and its result is compared with
// the one those activations complete with.
import type { SdkCase } from '../case.js';

const FROM = 'test-workflows.ts';

function returns(file: string, type: string, result: unknown, args: unknown[] = []): SdkCase {
  return { name: type, from: FROM, file, type, args, expect: { result } };
}

export const WORKFLOWS_CASES: readonly SdkCase[] = [
  returns('success-string.ts', 'successString', 'success'),
  returns('async-workflow.ts', 'asyncWorkflow', 'async'),
  returns('promise-then-promise.ts', 'promiseThenPromise', undefined),
  returns('promise-all.ts', 'promiseAll', undefined),
  returns('swc.ts', 'swc', undefined),
  returns('text-encoder-decoder.ts', 'textEncoderDecoder', 'aβc', ['aβc']),
  returns('text-encoder-decoder.ts', 'textEncoderDecoderFromImport', 'aβc', ['aβc']),
  returns('race.ts', 'race', undefined),
  returns('date.ts', 'date', undefined),
  returns('sleep.ts', 'sleeper', undefined),
  returns('trailing-timer.ts', 'trailingTimer', 'first'),
  returns('deferred-resolve.ts', 'deferredResolve', undefined),
  returns('reject-promise.ts', 'rejectPromise', undefined),
  returns('patched.ts', 'patchedWorkflow', undefined),
  returns('random.ts', 'random', undefined),
];
