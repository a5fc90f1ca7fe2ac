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

  it('exports the engine metrics from the start with their labels; closed runs count by status', async () => {
    t = await startTestServer();
    const scrape = async (): Promise<string> => (await fetch(`${t!.url}/metrics`)).text();
    const first = await scrape();
    for (const [name, type] of [
      ['aion_replay_seconds', 'histogram'],
      ['aion_resident_runs', 'gauge'],
      ['aion_workflow_runs_parked_total', 'counter'],
      ['aion_workflows_closed_total', 'counter'],
      ['aion_workflow_task_failures_total', 'counter'],
      ['aion_history_limit_warnings_total', 'counter'],
      ['aion_history_limit_terminations_total', 'counter'],
      ['aion_activity_outcomes_total', 'counter'],
    ] as const) {
      expect(first).toContain(`# TYPE ${name} ${type}`);
    }
    expect(first.split('\n')).toContain('aion_resident_runs 0');
    expect(first.split('\n')).toContain('aion_replay_seconds_count 0');
    const handle = await t.engine.start('greet', { args: ['metrics'] });
    await handle.result();
    const closed = (await scrape())
      .split('\n')
      .filter((l) => l.startsWith('aion_workflows_closed_total{'));
    expect(closed).toEqual([
      'aion_workflows_closed_total{status="COMPLETED",workflow_type="greet"} 1',
    ]);
  });
});
