// Trace ids in a browser: a link into the tracing UI the server's `traceUrl` names (new tab,
// no opener, no referrer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, seriousViolations } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ traceUrl: 'http://127.0.0.1:16686/trace/{traceId}' });
});

afterAll(async () => {
  await h?.stop();
});

describe('trace links', () => {
  it('links trace ids to the configured tracing UI', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const run = await h.call<{ workflowId: string; runId: string }>(
      'POST',
      '/namespaces/default/workflows',
      {
        workflowType: 'ship',
        workflowId: 'traced-ship',
        args: ['traced'],
        headers: { _traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      },
    );
    const { page, errors, close } = await newPage(h.browser);
    await h.open(
      page,
      'reader',
      `#/namespaces/default/workflows/${run.workflowId}/${run.runId}?tab=summary`,
    );
    const link = page.getByTestId('trace-link');
    await expect.poll(() => link.count()).toBe(1);
    expect(await link.getAttribute('href')).toBe(`http://127.0.0.1:16686/trace/${traceId}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.textContent()).toBe(traceId);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });
});
