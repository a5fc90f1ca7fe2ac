// The client process of the server benchmark (server-child.ts), so that the load the client
// SDK generates (HTTP requests, JSON, its own event loop) runs in a process of its own, as an
// application's client would, and not on the server's thread:
//   node bench/server-client.ts <server url>     (started by server-child.ts over IPC)
// It waits for commands on its IPC channel and answers each when done:
//   { cmd: 'runs', n, window }  n `execute('threeSteps')` calls, `window` at a time; answers
//                               { seconds, latencies (ms, one per run), wrong, requests }
//   { cmd: 'exit' }             closes the connection and exits
import { clientLoad, type RunsCommand } from './server-load.js';

const [address] = process.argv.slice(2);
if (!address || !process.send) {
  process.stderr.write('usage: server-client.ts <server url> (with an IPC channel)\n');
  process.exit(2);
}
const send = (m: unknown): void => void process.send!(m);
const load = await clientLoad(address);

process.on('message', (m: RunsCommand | { cmd: 'exit' }) => {
  if (m.cmd === 'exit') {
    void load.close().finally(() => process.exit(0));
    return;
  }
  load
    .runs(m.n, m.window)
    .then(send, (err: unknown) =>
      send({ error: err instanceof Error ? err.message : String(err) }),
    );
});
send({ ready: true });
