// The client process of the server benchmark (server-child.ts), so that the load the client
// SDK generates (HTTP requests, JSON, its own event loop) runs in a process of its own, as an
// application's client would, and not on the server's thread:
//   node bench/server-client.ts <server url>     (started by server-child.ts over IPC)
// It waits for commands on its IPC channel and answers each when done:
//   { cmd: 'runs', n, window }  n `execute('threeSteps')` calls, `window` at a time; answers
//                               { seconds, latencies (ms, one per run), wrong, requests }
//   { cmd: 'exit' }             closes the connection and exits
import { Client, Connection } from '../src/client/remote.js';
import { pool } from './engine-common.js';
import { nowMs } from './lib.js';

export interface RunsCommand {
  readonly cmd: 'runs';
  readonly n: number;
  readonly window: number;
}
export interface RunsAnswer {
  readonly seconds: number;
  readonly latencies: number[];
  readonly wrong: number;
  /** HTTP requests the client SDK made for them. */
  readonly requests: number;
  /** CPU time of the client's process meanwhile (ms, user + system). */
  readonly cpuMs: number;
}

const [address] = process.argv.slice(2);
if (!address || !process.send) {
  process.stderr.write('usage: server-client.ts <server url> (with an IPC channel)\n');
  process.exit(2);
}
const send = (m: unknown): void => void process.send!(m);
const connection = await Connection.connect({ address });
let requests = 0;
const request = connection.request.bind(connection);
connection.request = (...args) => {
  requests++;
  return request(...args);
};
const client = new Client({ connection });

async function runs(n: number, window: number): Promise<RunsAnswer> {
  const latencies: number[] = [];
  const requestsBefore = requests;
  let wrong = 0;
  const cpu = process.cpuUsage();
  const t0 = nowMs();
  await pool(n, window, async () => {
    const t = nowMs();
    if ((await client.workflow.execute('threeSteps')) !== 3) wrong++;
    latencies.push(nowMs() - t);
  });
  const seconds = (nowMs() - t0) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const cpuMs = (user + system) / 1000;
  return { seconds, latencies, wrong, requests: requests - requestsBefore, cpuMs };
}

process.on('message', (m: RunsCommand | { cmd: 'exit' }) => {
  if (m.cmd === 'exit') {
    void connection.close().finally(() => process.exit(0));
    return;
  }
  runs(m.n, m.window).then(send, (err: unknown) =>
    send({ error: err instanceof Error ? err.message : String(err) }),
  );
});
send({ ready: true });
