// A remote activity worker under torture, in its own process: serves the torture activities on
// the `default` task queue of `aion server` (which then runs no activity itself).
//   node --import tsx torture/children/worker-child.ts <server address> <identity>
// Reconnects while the server is away; exits 0 on SIGTERM once its attempts finished.
import { Worker } from '../../src/worker/index.js';
import { effect } from '../fixtures/activities.js';

const [address, identity] = process.argv.slice(2) as [string, string];

const worker = await Worker.create({
  connection: { address },
  taskQueue: 'default',
  activities: { effect },
  identity,
  reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
  logger: () => undefined,
});
process.once('SIGTERM', () => void worker.shutdown());
await worker.run();
process.exit(0);
