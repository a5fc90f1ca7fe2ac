// One server node of the cluster benchmark (`npm run bench -- cluster`), in its own process:
//   node --import tsx --import ./bench/compiled-engine.mjs bench/cluster-node.ts <schema> <cluster|single> <port>
// What `aion server [--cluster] --store postgres://…` assembles (engine without in-process
// activities, HTTP server without auth), on a PostgreSQL schema of the bench's choosing in
// AION_TEST_PG's database: the CLI always uses the schema `aion`, and every phase needs a
// fresh one. The lease ttl is AION_LEASE_TTL_MS when set, else the engine's default, as for
// `aion server`. Prints `{ url, pid, nodeId }` as one line prefixed by RESULT_PREFIX once it
// listens, then serves until SIGTERM (graceful drain) or SIGKILL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/index.js';
import { createServer, jsonLogger } from '../src/server/server.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { PG_URL, RESULT_PREFIX, WORKFLOWS_PATH } from './engine-common.js';

const [schema, mode, portArg] = process.argv.slice(2);
if (!schema || (mode !== 'cluster' && mode !== 'single')) {
  process.stderr.write('usage: cluster-node.ts <schema> <cluster|single> [port]\n');
  process.exit(2);
}
const ttl = process.env.AION_LEASE_TTL_MS;
// Engine lines on standard error (JSON, with times): warnings by default, `info` shows shards
// acquired and handed off.
const logger = jsonLogger(
  (process.env.AION_BENCH_CLUSTER_LOG ?? 'warn') as Parameters<typeof jsonLogger>[0],
);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'aion-bench-cluster-'));
const store = await openPostgresStore({ connectionString: PG_URL, schema });
// No `activities`: every `step` goes to the remote workers.
const engine = await createEngine({
  store,
  workflowsPath: WORKFLOWS_PATH,
  logger,
  cluster: mode === 'cluster',
  ...(ttl ? { leaseTtlMs: Number.parseInt(ttl, 10) } : {}),
});
const server = await createServer({
  engine,
  ownsStore: true,
  config: {
    port: portArg ? Number.parseInt(portArg, 10) : 0,
    auth: false,
    dataDir,
    logLevel: 'silent',
    drainGraceMs: 0,
    drainTimeoutMs: 5_000,
  },
});
const { url } = await server.listen();
const { nodeId } = await engine.storeNodes();
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ url, pid: process.pid, nodeId })}\n`);

process.once('SIGTERM', () => {
  void server
    .drain()
    .catch((err: unknown) => process.stderr.write(`drain: ${(err as Error).message}\n`))
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
