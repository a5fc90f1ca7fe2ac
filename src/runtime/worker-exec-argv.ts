// The Node flags a workflow thread is started with: the host's own, less those a worker
// cannot take — flags about the host's main script, and per-process or V8 flags (such as
// --expose-gc or --max-old-space-size; the thread's heap has its own cap).
import type { Worker } from 'node:worker_threads';

/** Flags of the host's command line that only concern its own main script (with a value). */
const MAIN_SCRIPT_FLAGS_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print']);
/** … and without one, or with it after `=`. */
const MAIN_SCRIPT_FLAGS = [
  '--input-type',
  '--eval',
  '--print',
  '--interactive',
  '-i',
  '--check',
  '-c',
  '--test',
  '--watch',
  '--entry-url',
];

/**
 * The host's Node flags that the workflow thread should share (loaders, `--import`, source
 * maps, experimental features), without those about the host's own main script: a worker
 * started with `--input-type` or `-e` refuses to start, which made an engine created from
 * `node --input-type=module -e …` fail.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (MAIN_SCRIPT_FLAGS_WITH_VALUE.has(arg)) {
      i++; // and its value
      continue;
    }
    const name = arg.split('=')[0]!;
    if (MAIN_SCRIPT_FLAGS.some((f) => name === f || name.startsWith(`${f}-`))) continue;
    out.push(arg);
  }
  return out;
}

/** Flags a worker refused in this process; left out of every later start. */
const refused = new Set<string>();

/** The flags of `ERR_WORKER_INVALID_EXEC_ARGV` (undefined for any other error). */
function invalidFlags(err: unknown): string[] | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof e.message !== 'string') return undefined;
  const list = e.message.slice(e.message.indexOf(':') + 1).trim();
  return list.length > 0 ? list.split(/,\s*/) : undefined;
}

/**
 * Starts a worker with the host's flags; when Node refuses some of them (per-process and V8
 * flags are not allowed in a worker), starts it again without those, and remembers them.
 */
export function startWorker(create: (execArgv: string[]) => Worker): Worker {
  for (let attempt = 0; ; attempt++) {
    try {
      return create(workerExecArgv().filter((a) => !refused.has(a)));
    } catch (err) {
      const flags = invalidFlags(err);
      if (flags === undefined || attempt > 0) throw err;
      for (const f of flags) refused.add(f);
    }
  }
}
