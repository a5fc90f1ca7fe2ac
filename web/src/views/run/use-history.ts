// A run's history, read page by page (`fromSeq`, `maxEvents`) and followed while the run is
// open: new events arrive over the run's history stream (or, without it, are read every 2 s
// from where the last page ended).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, API_BASE, qs, wfPath } from '../../api.js';
import { useInterval } from '../../hooks.js';
import type { HistoryEvent, HistoryPage } from '../../types.js';

const PAGE = 1000;

export interface History {
  readonly events: readonly HistoryEvent[];
  /** True while older pages are still being read. */
  readonly loading: boolean;
  readonly error: unknown;
  /** The decoded payloads were asked for (the role allows it). */
  readonly decoded: boolean;
  /** Reads events appended since (done every few seconds while following without a stream). */
  readonly refresh: () => void;
  /** New events arrive over the history stream as they are committed. */
  readonly streaming: boolean;
}

export function useHistory(
  ns: string,
  workflowId: string,
  runId: string,
  decode: boolean,
  follow: boolean,
): History {
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const next = useRef(1);
  const busy = useRef(false);
  const generation = useRef(0);

  const readFrom = useCallback(
    async (gen: number): Promise<void> => {
      if (busy.current) return;
      busy.current = true;
      try {
        for (;;) {
          const page = await api<HistoryPage>(
            'GET',
            wfPath(
              ns,
              workflowId,
              `/history${qs({ runId, fromSeq: next.current, maxEvents: PAGE, decode: decode || undefined })}`,
            ),
          );
          if (gen !== generation.current) return;
          const fresh = page.events.filter((e) => e.seq >= next.current);
          if (fresh.length > 0) {
            next.current = (fresh[fresh.length - 1]?.seq ?? next.current) + 1;
            setEvents((old) => [...old, ...fresh]);
          }
          if (page.nextSeq === null || fresh.length === 0) break;
        }
        setError(undefined);
      } catch (err) {
        if (gen === generation.current) setError(err);
      } finally {
        busy.current = false;
        if (gen === generation.current) setLoading(false);
      }
    },
    [ns, workflowId, runId, decode],
  );

  useEffect(() => {
    generation.current += 1;
    next.current = 1;
    busy.current = false;
    setEvents([]);
    setLoading(true);
    void readFrom(generation.current);
  }, [readFrom]);
  const refresh = useCallback(() => void readFrom(generation.current), [readFrom]);
  const append = useCallback(
    (batch: readonly HistoryEvent[]) => {
      const fresh = batch.filter((e) => e.seq >= next.current);
      if (fresh.length === 0) return;
      // A gap (a frame lost between the read and the stream): read it from the store.
      if (fresh[0]?.seq !== next.current) {
        refresh();
        return;
      }
      next.current = (fresh[fresh.length - 1]?.seq ?? next.current) + 1;
      setEvents((old) => [...old, ...fresh]);
    },
    [refresh],
  );
  const streaming = useHistoryStream(
    ns,
    workflowId,
    runId,
    decode,
    follow && !loading,
    () => next.current,
    append,
  );
  useInterval(refresh, follow && !streaming ? 2_000 : undefined);
  return { events, loading, error, decoded: decode, refresh, streaming };
}

/**
 * The run's history stream (WebSocket `…/history/stream`, docs/events.md) from `from()` on,
 * while `enabled`: events as they are committed. True while connected; the caller polls
 * otherwise.
 */
function useHistoryStream(
  ns: string,
  workflowId: string,
  runId: string,
  decode: boolean,
  enabled: boolean,
  from: () => number,
  onEvents: (events: readonly HistoryEvent[]) => void,
): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvents);
  handler.current = onEvents;
  const start = useRef(from);
  start.current = from;
  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return undefined;
    let socket: WebSocket | undefined;
    let retry: number | undefined;
    let closed = false;
    const open = (): void => {
      const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      const query = qs({ runId, fromSeq: start.current(), decode: decode || undefined });
      socket = new WebSocket(
        `${proto}//${window.location.host}${API_BASE}${wfPath(ns, workflowId, `/history/stream${query}`)}`,
      );
      socket.onmessage = (m) => {
        const frame = JSON.parse(String(m.data)) as { type?: string; events?: HistoryEvent[] };
        if (frame.type === 'subscribed') setConnected(true);
        else if (frame.type === 'events' && frame.events) handler.current(frame.events);
      };
      // The caller polls while disconnected; the stream resumes from the next unseen event.
      socket.onclose = () => {
        setConnected(false);
        if (!closed) retry = window.setTimeout(open, 5_000);
      };
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(retry);
      socket?.close();
    };
  }, [ns, workflowId, runId, decode, enabled]);
  return connected;
}
