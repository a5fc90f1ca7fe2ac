// The workload against `aion server`, over HTTP with the remote client SDK, in its own process:
//   node --import tsx torture/children/client-child.ts <server address> <ack file> <plan json>
// Keeps retrying while the server is unreachable (a restarted server listens on the same
// port); exits 0 once the workload is done, 1 if it gave up.
import { Client, Connection } from '../../src/client/index.js';
import { runWorkload, type WorkloadPlan } from '../workload.js';

const [address, ackFile, planJson] = process.argv.slice(2) as [string, string, string];
const plan = JSON.parse(planJson) as WorkloadPlan;

let connection: Connection | undefined;
const deadline = Date.now() + plan.deadlineMs;
while (!connection) {
  try {
    // The workload retries each operation itself (and counts the retries): one attempt per call.
    connection = await Connection.connect({ address, timeoutMs: 10_000, retry: false });
  } catch (err) {
    if (Date.now() > deadline) throw err;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const ok = await runWorkload(new Client({ connection }), plan, ackFile);
process.exit(ok ? 0 : 1);
