// The server benchmark's load: S1 workflows (`execute('threeSteps')`) sent through the remote
// client SDK, timed one by one. Used in the server bench's process (AION_BENCH_CLIENT=inline)
// and in its client process (server-client.ts), so both topologies run the same load.
import { Client, Connection } from '../src/client/remote.js';
import { pool } from './engine-common.js';
import { nowMs } from './lib.js';

/** What server-child.ts asks its client process for (over IPC). */
export interface RunsCommand {
  readonly cmd: 'runs';
  readonly n: number;
  readonly window: number;
}

export interface RunsAnswer {
  readonly seconds: number;
  /** Each run's latency (ms). */
  readonly latencies: number[];
  /** Runs that returned something other than S1's result. */
  readonly wrong: number;
  /** HTTP requests the client SDK made for them. */
  readonly requests: number;
}

export interface ClientLoad {
  /** `n` `execute` calls, `window` at a time. */
  runs(n: number, window: number): Promise<RunsAnswer>;
  close(): Promise<void>;
}

/** A client SDK connection to `address` whose HTTP requests are counted. */
export async function clientLoad(address: string): Promise<ClientLoad> {
  const connection = await Connection.connect({ address });
  let requests = 0;
  const request = connection.request.bind(connection);
  connection.request = (...args) => {
    requests++;
    return request(...args);
  };
  const client = new Client({ connection });
  return {
    async runs(n, window) {
      const latencies: number[] = [];
      const requestsBefore = requests;
      let wrong = 0;
      const t0 = nowMs();
      await pool(n, window, async () => {
        const t = nowMs();
        if ((await client.workflow.execute('threeSteps')) !== 3) wrong++;
        latencies.push(nowMs() - t);
      });
      const seconds = (nowMs() - t0) / 1000;
      return { seconds, latencies, wrong, requests: requests - requestsBefore };
    },
    close: () => connection.close(),
  };
}
