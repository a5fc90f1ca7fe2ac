import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('server metrics', () => {
  it('exports its connection metrics from the start, at zero, before any socket or refusal', async () => {
    t = await startTestServer();
    const scraped = await (await fetch(`${t.url}/metrics`)).text();
    for (const [name, type] of [
      ['aion_stream_connections', 'gauge'],
      ['aion_stream_lagged_total', 'counter'],
      ['aion_http_connections_refused_total', 'counter'],
    ] as const) {
      expect(scraped).toContain(`# TYPE ${name} ${type}`);
      // No labels: one unlabelled sample.
      expect(scraped.split('\n').filter((l) => l.startsWith(name))).toEqual([`${name} 0`]);
    }
  });
});
