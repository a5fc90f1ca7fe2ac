import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { AionError, isWorkflowStatus, type WorkflowStatus } from '../core/index.js';
import type { Principal } from './auth.js';
import type { ServerContext, ServerPlugin } from './context.js';
import { decodeRequested } from './payload-codecs.js';
import { HistorySession } from './stream/history-session.js';
import { RunFeedSession, type RunChange } from './stream/run-feed-session.js';
import { DEFAULT_STREAM_LIMITS, SocketSink, type StreamLimits } from './stream/socket-sink.js';

type Query = Record<string, string | string[] | undefined>;

const HISTORY_PARAMS = new Set(['runId', 'fromSeq', 'follow', 'decode']);
const RUN_FEED_PARAMS = new Set(['workflowType', 'status', 'change']);
const CHANGES: readonly RunChange[] = ['started', 'status', 'closed'];

/**
 * The WebSocket event stream (docs/events.md):
 * - `GET /api/v1/namespaces/:namespace/workflows/:workflowId/history/stream?runId&fromSeq&follow`
 *   — a run's history from `fromSeq`, then live, with no gap and no duplicate;
 * - `GET /api/v1/namespaces/:namespace/runs/stream?workflowType&status&change` — live run
 *   lifecycle changes.
 * Both authorize `read`. Every refusal is an `error` frame followed by a close.
 *
 * @param limits overrides of {@link DEFAULT_STREAM_LIMITS} (tests use a small buffer bound).
 */
export function eventStream(limits: Partial<StreamLimits> = {}): ServerPlugin {
  const resolved: StreamLimits = { ...DEFAULT_STREAM_LIMITS, ...limits };
  return (app, ctx) => register(app, ctx, resolved);
}

type Accept = (socket: WebSocket, start: (sink: SocketSink) => Promise<void> | void) => void;
interface HistoryRoute {
  Params: { namespace: string; workflowId: string };
  Querystring: Query;
}
interface RunFeedRoute {
  Params: { namespace: string };
  Querystring: Query;
}

function register(app: FastifyInstance, ctx: ServerContext, limits: StreamLimits): void {
  const accept = socketAcceptor(app, ctx, limits);

  app.get<HistoryRoute>(
    '/api/v1/namespaces/:namespace/workflows/:workflowId/history/stream',
    { websocket: true },
    (socket, req) => accept(socket, (sink) => startHistory(ctx, limits, req, sink)),
  );

  app.get<RunFeedRoute>(
    '/api/v1/namespaces/:namespace/runs/stream',
    // Filters may be repeated (`?status=RUNNING&status=PAUSED`).
    { websocket: true, config: { repeatableQuery: [...RUN_FEED_PARAMS] } },
    (socket, req) => accept(socket, (sink) => startRunFeed(ctx, req, sink)),
  );
}

/**
 * Wraps each accepted socket in a bounded sink, counts it in the connection gauge, and turns
 * a refusal (draining, a bad request, a failed start) into an `error` frame and a close.
 */
function socketAcceptor(app: FastifyInstance, ctx: ServerContext, limits: StreamLimits): Accept {
  const connections = ctx.metrics.gauge('aion_stream_connections', 'Open event-stream sockets');
  const lagged = ctx.metrics.counter(
    'aion_stream_lagged_total',
    'Event-stream sockets closed because the client read too slowly',
  );
  // Exported from the start (at zero), not from the first socket.
  connections.set(0);
  lagged.inc(0);
  let open = 0;
  const sinks = new Set<SocketSink>();

  // Close our sockets with a reason before fastify's default close (which sends none).
  app.addHook('preClose', (done) => {
    for (const sink of sinks)
      sink.fail(new AionError('unavailable', 'the server is shutting down', {}));
    done();
  });

  return (socket, start) => {
    const sink = new SocketSink(socket, limits.maxBufferedBytes, () => lagged.inc());
    sinks.add(sink);
    connections.set(++open);
    socket.on('close', () => {
      sinks.delete(sink);
      connections.set(--open);
    });
    // The stream is one-way: any client frame is a protocol mistake.
    socket.on('message', () =>
      sink.fail(new AionError('invalid_argument', 'the event stream takes no client frames', {})),
    );
    try {
      if (ctx.draining()) throw new AionError('unavailable', 'the server is draining', {});
      const started = start(sink);
      if (started) started.catch((err: unknown) => sink.fail(err));
    } catch (err) {
      sink.fail(err);
    }
  };
}

/**
 * Closes the stream when the key or console session it was opened with ends: an `error`
 * frame (`unauthenticated`), then close 1008 with reason `key_revoked`, `key_expired` or
 * `session_ended`.
 */
function watchCredentials(ctx: ServerContext, principal: Principal, sink: SocketSink): void {
  const unwatch = ctx.auth.sockets.watch(principal, (reason, message) =>
    sink.fail(new AionError('unauthenticated', message, { reason }), reason),
  );
  sink.whenClosed(unwatch);
}

/** `…/workflows/:workflowId/history/stream`: a run's history from `fromSeq`, then live. */
async function startHistory(
  ctx: ServerContext,
  limits: StreamLimits,
  req: FastifyRequest<HistoryRoute>,
  sink: SocketSink,
): Promise<void> {
  watchCredentials(ctx, ctx.authorize(req, 'read', 'workflow.history.stream'), sink);
  const namespace = ctx.namespace(req.params.namespace);
  const q = checkKeys(req.query, HISTORY_PARAMS);
  const runId = single(q, 'runId');
  if (runId !== undefined && (runId.length === 0 || runId.length > 100)) {
    throw invalid('runId must be 1–100 characters', 'runId');
  }
  const session = new HistorySession(ctx.engine, sink, limits, {
    namespace,
    workflowId: req.params.workflowId,
    ...(runId !== undefined ? { runId } : {}),
    fromSeq: positiveInt(single(q, 'fromSeq'), 'fromSeq') ?? 1,
    follow: bool(single(q, 'follow'), 'follow') ?? false,
    decode: decodeRequested(ctx, req, single(q, 'decode'), 'workflow.history.stream'),
  });
  await session.start();
}

/** `…/runs/stream`: live run lifecycle changes, filtered by type, status and change. */
function startRunFeed(
  ctx: ServerContext,
  req: FastifyRequest<RunFeedRoute>,
  sink: SocketSink,
): void {
  watchCredentials(ctx, ctx.authorize(req, 'read', 'workflow.stream'), sink);
  const namespace = ctx.namespace(req.params.namespace);
  const q = checkKeys(req.query, RUN_FEED_PARAMS);
  const types = list(q, 'workflowType');
  const statuses = list(q, 'status');
  const changes = list(q, 'change');
  for (const s of statuses ?? []) {
    if (!isWorkflowStatus(s)) throw invalid(`unknown status ${JSON.stringify(s)}`, 'status');
  }
  for (const c of changes ?? []) {
    if (!(CHANGES as readonly string[]).includes(c)) {
      throw invalid(`unknown change ${JSON.stringify(c)}; one of ${CHANGES.join(', ')}`, 'change');
    }
  }
  new RunFeedSession(ctx.engine, sink, {
    namespace,
    ...(types ? { workflowTypes: new Set(types) } : {}),
    ...(statuses ? { statuses: new Set(statuses as WorkflowStatus[]) } : {}),
    ...(changes ? { changes: new Set(changes as RunChange[]) } : {}),
  }).start();
}

/** The event stream with default limits (mounted by every server). */
export const eventStreamPlugin: ServerPlugin = eventStream();

function invalid(message: string, field: string): AionError {
  return new AionError('invalid_argument', message, { field });
}

function checkKeys(query: Query, allowed: ReadonlySet<string>): Query {
  for (const key of Object.keys(query ?? {})) {
    if (!allowed.has(key)) {
      throw invalid(
        `unknown query parameter ${JSON.stringify(key)}; allowed: ${[...allowed].join(', ')}`,
        key,
      );
    }
  }
  return query ?? {};
}

function single(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) throw invalid(`${key} given more than once`, key);
  return v;
}

/** Comma-separated and/or repeated values; undefined when absent. */
function list(query: Query, key: string): string[] | undefined {
  const v = query[key];
  if (v === undefined) return undefined;
  const values = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).filter(Boolean);
  if (values.length === 0 || values.length > 100 || values.some((s) => s.length > 200)) {
    throw invalid(`${key} must list 1–100 values of at most 200 characters`, key);
  }
  return values;
}

function positiveInt(v: string | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1) {
    throw invalid(`${key} must be a positive integer, got ${JSON.stringify(v)}`, key);
  }
  return n;
}

function bool(v: string | undefined, key: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`${key} must be true or false, got ${JSON.stringify(v)}`, key);
}
