// A remote handle's reads of the run's history: the full export (paged), one window, and
// the live stream over WebSocket.
import type { HistoryEvent } from '../core/index.js';
import type { HandleTarget } from './context.js';
import { subscribeHistory } from './stream.js';
import type { HistoryExport } from './types.js';
import type { RemoteWorkflowHandle } from './remote-types.js';

type HistoryCalls = Pick<RemoteWorkflowHandle, 'fetchHistory' | 'subscribe' | 'fetchHistoryPage'>;

export function historyCalls(t: HandleTarget): HistoryCalls {
  const c = t.connection;
  const { workflowId, runId, path } = t;
  return {
    fetchHistory: async (options = {}) => {
      const events: HistoryEvent[] = [];
      let fromSeq: number | null = 1;
      let head: Omit<HistoryExport, 'events'> | undefined;
      while (fromSeq !== null) {
        const page: HistoryExport & { nextSeq: number | null } = await c.request(
          'GET',
          `${path}/history`,
          {
            // Later pages stay on the run the first page came from.
            query: {
              ...(head ? { runId: head.runId } : t.address),
              fromSeq,
              maxEvents: 10_000,
              ...decodeQuery(options.decode),
            },
          },
        );
        const { events: pageEvents, nextSeq, ...rest } = page;
        head ??= rest;
        events.push(...pageEvents);
        fromSeq = nextSeq;
      }
      return { ...head!, events };
    },
    subscribe: (options = {}) =>
      subscribeHistory({
        address: c.address,
        ...(c.apiKey ? { apiKey: c.apiKey } : {}),
        namespace: t.namespace,
        workflowId,
        ...(runId ? { runId } : {}),
        ...(options.fromSeq !== undefined ? { fromSeq: options.fromSeq } : {}),
        ...(options.follow !== undefined ? { follow: options.follow } : {}),
        ...(options.decode === true ? { decode: true } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    fetchHistoryPage: async (options = {}) => {
      const { decode, ...window } = options;
      const page = await c.request<{
        events: HistoryEvent[];
        nextSeq: number | null;
        runId: string;
      }>('GET', `${path}/history`, {
        query: { ...t.address, ...window, ...decodeQuery(decode) },
      });
      return { events: page.events, nextSeq: page.nextSeq, runId: page.runId };
    },
  };
}

function decodeQuery(decode: boolean | undefined): { decode?: string } {
  return decode === true ? { decode: 'true' } : {};
}
