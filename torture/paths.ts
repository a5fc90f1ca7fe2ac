// Where the torture harness's own files are.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The workflows of the torture workload (built by the engine, the server and the replay check). */
export const TORTURE_WORKFLOWS = here('./fixtures/workflows.ts');
/** Its activities module (loaded in-process, or by `aion server --activities`). */
export const TORTURE_ACTIVITIES = here('./fixtures/activities.ts');
export const EMBEDDED_CHILD = here('./children/embedded-child.ts');
export const CLIENT_CHILD = here('./children/client-child.ts');
/** The repository root and the built CLI (`npm run build` first). */
export const ROOT = here('../');
export const AION_BIN = path.join(ROOT, 'bin', 'aion.js');
export const WORKER_CHILD = here('./children/worker-child.ts');
