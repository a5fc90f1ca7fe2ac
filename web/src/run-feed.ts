// The namespace's run feed (WebSocket `…/runs/stream`, docs/events.md): runs started, changed
// and closed, as they happen. The list reloads on them instead of polling often; when the
// socket cannot be opened or drops, the caller polls as before.
import { useEffect, useRef, useState } from 'preact/hooks';
import { API_BASE } from './api.js';

/** Calls `onChange` (at most every `quietMs`) while runs of `ns` change; true while connected. */
export function useRunFeed(
  ns: string,
  enabled: boolean,
  onChange: () => void,
  quietMs = 500,
): boolean {
  const [connected, setConnected] = useState(false);
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return undefined;
    let socket: WebSocket | undefined;
    let timer: number | undefined;
    let retry: number | undefined;
    let closed = false;
    const open = (): void => {
      const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      socket = new WebSocket(
        `${proto}//${window.location.host}${API_BASE}/namespaces/${encodeURIComponent(ns)}/runs/stream`,
      );
      socket.onmessage = (m) => {
        const frame = JSON.parse(String(m.data)) as { type?: string };
        if (frame.type === 'subscribed') setConnected(true);
        else if (frame.type === 'run' && timer === undefined)
          timer = window.setTimeout(() => {
            timer = undefined;
            callback.current();
          }, quietMs);
      };
      socket.onclose = () => {
        setConnected(false);
        // Changes while disconnected were missed: reload once, then try again later.
        if (!closed) {
          callback.current();
          retry = window.setTimeout(open, 10_000);
        }
      };
    };
    open();
    return () => {
      closed = true;
      window.clearTimeout(timer);
      window.clearTimeout(retry);
      socket?.close();
    };
  }, [ns, enabled, quietMs]);
  return connected;
}
