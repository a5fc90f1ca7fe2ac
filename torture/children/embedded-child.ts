// An embedded engine under torture, in its own process (so its death is observable as this
// process's exit): an engine on PostgreSQL or SQLite running the torture workflows and
// activities, and the workload driven through `engine.client`.
//   node --import tsx torture/children/embedded-child.ts <postgres url | sqlite file> <ack file> <plan json>
// AION_TORTURE_DEFECTS (comma-separated) switches injected engine defects on (src/core/defects.ts),
// to show that the torture catches them.
// It stays up after the workload until SIGTERM, then shuts the engine down and exits 0; any
// earlier exit is a death. Started again after a death, it resumes the workload.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { DEFECTS, setDefects, type Defect } from '../../src/core/index.js';
import { createEngine } from '../../src/index.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { effect } from '../fixtures/activities.js';
import { TORTURE_WORKFLOWS } from '../paths.js';
import { runWorkload, type WorkloadPlan } from '../workload.js';

const [url, ackFile, planJson] = process.argv.slice(2) as [string, string, string];
const plan = JSON.parse(planJson) as WorkloadPlan;

const defects = (process.env.AION_TORTURE_DEFECTS ?? '').split(',').filter((d) => d.length > 0);
for (const d of defects)
  if (!DEFECTS.includes(d as Defect))
    throw new Error(`unknown defect ${d}; known: ${DEFECTS.join()}`);
setDefects(defects as Defect[]);

const store = /^postgres(ql)?:\/\//.test(url)
  ? await openPostgresStore({ connectionString: url })
  : await openSqliteStore({ path: url });
// Every engine log line, debug included, goes to engine.log beside the ack file.
const log = createWriteStream(path.join(path.dirname(ackFile), 'engine.log'), { flags: 'a' });
const line =
  (level: string) =>
  (message: string, fields?: Record<string, unknown>): void => {
    log.write(
      `${JSON.stringify({ at: Date.now(), pid: process.pid, level, message, ...fields })}\n`,
    );
  };
const engine = await createEngine({
  logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
  store,
  workflowsPath: TORTURE_WORKFLOWS,
  activities: { effect },
});
process.once('SIGTERM', () => {
  void engine
    .shutdown()
    .then(() => store.close())
    .finally(() => process.exit(0));
});
await runWorkload(engine.client, plan, ackFile);
// Stay up until asked to stop (the engine's own handles may not keep the loop alive).
setInterval(() => undefined, 60_000);
