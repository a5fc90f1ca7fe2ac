import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AionError,
  isExactPayload,
  JsonPayloadConverter,
  type Headers,
  type HistoryEvent,
  WORKFLOW_STATUSES,
  type WorkflowStatus,
} from '../../core/index.js';
import type { WorkflowListOptions, WorkflowStartOptions } from '../../client/types.js';
import type { ResetPoint } from '../../engine/index.js';
import type { ServerContext } from '../context.js';
import { mutation, read, type Params } from './common.js';

const ID = { type: 'string', minLength: 1, maxLength: 1000 } as const;
const NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
const ARGS = { type: 'array', maxItems: 1000 } as const;
/**
 * Headers: names → payloads (`{encoding, data, metadata?}`) or plain JSON values, which the
 * server encodes as JSON payloads. The engine checks names and payloads (invalid_argument).
 */
const HEADERS = {
  type: 'object',
  maxProperties: 64,
  propertyNames: { minLength: 1, maxLength: 200 },
} as const;

/** A body's `headers` as payloads: exact payload objects pass, other values are encoded. */
function headersOf(raw: Record<string, unknown> | undefined): Headers | undefined {
  if (raw === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, isExactPayload(v) ? v : json.toPayload(v)]),
  );
}
const json = new JsonPayloadConverter();

const DURATION = {
  anyOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', minLength: 1, maxLength: 100 },
  ],
};

const START_FIELDS = {
  workflowType: NAME,
  workflowId: ID,
  args: ARGS,
  taskQueue: NAME,
  searchAttributes: { type: 'object' },
  memo: { type: 'object' },
  executionTimeout: DURATION,
  runTimeout: DURATION,
  workflowIdReusePolicy: {
    enum: ['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE'],
  },
  workflowIdConflictPolicy: { enum: ['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'] },
  requestId: NAME,
  headers: HEADERS,
} as const;

const startSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType'],
  properties: START_FIELDS,
} as const;

const signalWithStartSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['workflowType', 'workflowId', 'signal'],
  properties: { ...START_FIELDS, signal: NAME, signalArgs: ARGS },
} as const;

const RUN_ID = { runId: { type: 'string', minLength: 1, maxLength: 100 } } as const;

function body(properties: Record<string, unknown>, required: string[] = []): object {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties: { ...RUN_ID, ...properties },
  };
}

interface StartBody {
  workflowType: string;
  workflowId?: string;
  args?: unknown[];
  taskQueue?: string;
  searchAttributes?: Record<string, unknown>;
  memo?: Record<string, unknown>;
  executionTimeout?: number | string;
  runTimeout?: number | string;
  workflowIdReusePolicy?: WorkflowStartOptions['workflowIdReusePolicy'];
  workflowIdConflictPolicy?: WorkflowStartOptions['workflowIdConflictPolicy'];
  requestId?: string;
  headers?: Record<string, unknown>;
}

function startOptions(b: StartBody): WorkflowStartOptions {
  const { workflowType: _type, headers, ...rest } = b;
  const h = headersOf(headers);
  return { ...rest, ...(h ? { headers: h } : {}) } as WorkflowStartOptions;
}

interface SignalBody {
  name: string;
  args?: unknown[];
  requestId?: string;
  runId?: string;
  headers?: Record<string, unknown>;
}

interface UpdateBody {
  name: string;
  args?: unknown[];
  updateId?: string;
  runId?: string;
  headers?: Record<string, unknown>;
}

interface ListQuery {
  query?: string;
  workflowType?: string;
  status?: string;
}

const STATUSES: ReadonlySet<string> = new Set(WORKFLOW_STATUSES);

function listFilters(q: ListQuery): WorkflowListOptions {
  if (q.status !== undefined && !STATUSES.has(q.status)) {
    throw new AionError(
      'invalid_argument',
      `status must be one of ${[...STATUSES].join(', ')} (got ${JSON.stringify(q.status)})`,
      { field: 'status' },
    );
  }
  return {
    ...(q.query ? { query: q.query } : {}),
    ...(q.workflowType ? { workflowType: q.workflowType } : {}),
    ...(q.status ? { status: q.status as WorkflowStatus } : {}),
  };
}

interface WorkflowParams extends Params {
  workflowId: string;
}

/** Non-negative integer from a query-string value; invalid_argument otherwise. */
export function intParam(
  value: string | undefined,
  name: string,
  limits: { min: number; max: number },
): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < limits.min || n > limits.max) {
    throw new AionError(
      'invalid_argument',
      `query parameter ${name} must be an integer between ${limits.min} and ${limits.max} (got ${JSON.stringify(value)})`,
      { field: name },
    );
  }
  return n;
}

const MAX_RESULT_WAIT_MS = 60_000;
const DEFAULT_HISTORY_EVENTS = 1000;
const MAX_HISTORY_EVENTS = 10_000;
const DEFAULT_HISTORY_BYTES = 4 * 1024 * 1024;

/** `/api/v1/namespaces/:namespace/workflows…`: start, signal, query, update, control, read. */
export function workflowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;
  const base = '/api/v1/namespaces/:namespace/workflows';
  const handleOf = (req: FastifyRequest<{ Params: WorkflowParams; Body?: { runId?: string } }>) => {
    const query = req.query as { runId?: string };
    return ctx
      .scope(req.params.namespace)
      .getHandle(req.params.workflowId, req.body?.runId ?? query.runId);
  };
  // One engine waiter per run however many clients long-poll its result.
  const results = new Map<
    string,
    Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }>
  >();

  const refuseWhileDraining = (): void => {
    if (ctx.draining()) {
      throw new AionError('unavailable', 'the server is draining and accepts no new workflows', {});
    }
  };

  app.post<{ Params: Params; Body: StartBody }>(
    base,
    { schema: { body: startSchema } },
    mutation<{ Params: Params; Body: StartBody }>(
      ctx,
      'write',
      'workflow.start',
      async (req, reply) => {
        ctx.namespace(req.params.namespace);
        refuseWhileDraining();
        const handle = await ctx
          .scope(req.params.namespace)
          .start(req.body.workflowType, startOptions(req.body));
        // The engine's start handle names its run; describing it (four store reads) is a fallback.
        const runId = handle.runId ?? (await handle.describe()).runId;
        void reply.code(201);
        return { target: handle.workflowId, body: { workflowId: handle.workflowId, runId } };
      },
    ),
  );

  app.post<{ Params: Params; Body: StartBody & { signal: string; signalArgs?: unknown[] } }>(
    `${base}/signal-with-start`,
    { schema: { body: signalWithStartSchema } },
    mutation<{ Params: Params; Body: StartBody & { signal: string; signalArgs?: unknown[] } }>(
      ctx,
      'write',
      'workflow.signalWithStart',
      async (req) => {
        const scope = ctx.scope(req.params.namespace);
        refuseWhileDraining();
        const { signal, signalArgs, ...start } = req.body;
        const handle = await scope.signalWithStart(start.workflowType, {
          ...startOptions(start),
          workflowId: start.workflowId!,
          signal,
          signalArgs: signalArgs ?? [],
        });
        const described = await handle.describe();
        return {
          target: handle.workflowId,
          body: { workflowId: handle.workflowId, runId: described.runId },
        };
      },
    ),
  );

  app.get<{ Params: Params; Querystring: ListQuery & { pageSize?: string; cursor?: string } }>(
    base,
    read<{ Params: Params; Querystring: ListQuery & { pageSize?: string; cursor?: string } }>(
      ctx,
      'workflow.list',
      async (req) => {
        ctx.namespace(req.params.namespace);
        const pageSize = intParam(req.query.pageSize, 'pageSize', { min: 1, max: 1000 });
        const page = await ctx.scope(req.params.namespace).list({
          ...listFilters(req.query),
          ...(pageSize !== undefined ? { pageSize } : {}),
          ...(req.query.cursor ? { cursor: req.query.cursor } : {}),
        });
        return { items: page.items, nextCursor: page.nextCursor ?? null };
      },
    ),
  );

  app.get<{ Params: Params; Querystring: ListQuery }>(
    `${base}-count`,
    read<{ Params: Params; Querystring: ListQuery }>(ctx, 'workflow.count', async (req) => {
      ctx.namespace(req.params.namespace);
      return { count: await ctx.scope(req.params.namespace).count(listFilters(req.query)) };
    }),
  );

  app.get<{ Params: WorkflowParams; Querystring: { runId?: string } }>(
    `${base}/:workflowId`,
    read<{ Params: WorkflowParams; Querystring: { runId?: string } }>(
      ctx,
      'workflow.describe',
      async (req) => handleOf(req).describe(),
    ),
  );

  app.get<{ Params: WorkflowParams; Querystring: { runId?: string; waitMs?: string } }>(
    `${base}/:workflowId/result`,
    read<{ Params: WorkflowParams; Querystring: { runId?: string; waitMs?: string } }>(
      ctx,
      'workflow.result',
      async (req, reply) => {
        const handle = handleOf(req);
        const waitMs =
          intParam(req.query.waitMs, 'waitMs', { min: 0, max: MAX_RESULT_WAIT_MS }) ?? 30_000;
        // An unknown workflow still fails fast: result() resolves the run before it waits
        // (a describe here cost four store reads per long-poll).
        const key = `${req.params.namespace}\u0000${req.params.workflowId}\u0000${req.query.runId ?? ''}`;
        let pending = results.get(key);
        if (!pending) {
          pending = handle.result().then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          results.set(key, pending);
          void pending.finally(() => results.delete(key));
        }
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          pending,
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), waitMs);
          }),
        ]);
        clearTimeout(timer);
        if (outcome === undefined) {
          void reply.code(202);
          return { status: 'RUNNING' };
        }
        if (!outcome.ok) throw outcome.error;
        return { status: 'COMPLETED', result: outcome.value ?? null };
      },
    ),
  );

  app.get<{
    Params: WorkflowParams;
    Querystring: { runId?: string; fromSeq?: string; maxEvents?: string; maxBytes?: string };
  }>(
    `${base}/:workflowId/history`,
    read<{
      Params: WorkflowParams;
      Querystring: { runId?: string; fromSeq?: string; maxEvents?: string; maxBytes?: string };
    }>(ctx, 'workflow.history', async (req) => {
      handleOf(req);
      const fromSeq =
        intParam(req.query.fromSeq, 'fromSeq', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? 1;
      const maxEvents =
        intParam(req.query.maxEvents, 'maxEvents', { min: 1, max: MAX_HISTORY_EVENTS }) ??
        DEFAULT_HISTORY_EVENTS;
      const maxBytes =
        intParam(req.query.maxBytes, 'maxBytes', { min: 1024, max: 64 * 1024 * 1024 }) ??
        DEFAULT_HISTORY_BYTES;
      const described = await ctx
        .scope(req.params.namespace)
        .getHandle(req.params.workflowId, req.query.runId)
        .describe();
      const run = {
        namespace: described.namespace,
        workflowId: described.workflowId,
        runId: described.runId,
      };
      const events = await engine.store.readHistory(run, { fromSeq, limit: maxEvents });
      // Cap the page by size, always returning at least one event so a reader makes progress.
      const page: HistoryEvent[] = [];
      let bytes = 0;
      for (const e of events) {
        const size = Buffer.byteLength(JSON.stringify(e));
        if (page.length > 0 && bytes + size > maxBytes) break;
        page.push(e);
        bytes += size;
      }
      const last = page.at(-1)?.seq;
      const head = described.historyLength;
      return {
        format: 'aion-history',
        formatVersion: 1,
        namespace: run.namespace,
        workflowId: run.workflowId,
        runId: run.runId,
        events: page,
        nextSeq: last !== undefined && last < head ? last + 1 : null,
      };
    }),
  );

  app.post<{
    Params: WorkflowParams;
    Body: SignalBody;
  }>(
    `${base}/:workflowId/signal`,
    {
      schema: {
        body: body({ name: NAME, args: ARGS, requestId: NAME, headers: HEADERS }, ['name']),
      },
    },
    mutation<{
      Params: WorkflowParams;
      Body: SignalBody;
    }>(ctx, 'write', 'workflow.signal', async (req) => {
      const handle = handleOf(req);
      const args = req.body.args ?? [];
      const headers = headersOf(req.body.headers);
      await handle.signalWithOptions(
        {
          ...(headers ? { headers } : {}),
          ...(req.body.requestId ? { requestId: req.body.requestId } : {}),
        },
        req.body.name,
        ...args,
      );
      return { target: req.params.workflowId, body: {} };
    }),
  );

  app.post<{ Params: WorkflowParams; Body: { name: string; args?: unknown[]; runId?: string } }>(
    `${base}/:workflowId/query`,
    { schema: { body: body({ name: NAME, args: ARGS }, ['name']) } },
    read<{ Params: WorkflowParams; Body: { name: string; args?: unknown[]; runId?: string } }>(
      ctx,
      'workflow.query',
      async (req) => {
        const result = await handleOf(req).query(req.body.name, ...(req.body.args ?? []));
        return { result: result ?? null };
      },
    ),
  );

  app.post<{
    Params: WorkflowParams;
    Body: UpdateBody;
  }>(
    `${base}/:workflowId/update`,
    {
      schema: {
        body: body({ name: NAME, args: ARGS, updateId: NAME, headers: HEADERS }, ['name']),
      },
    },
    mutation<{
      Params: WorkflowParams;
      Body: UpdateBody;
    }>(ctx, 'write', 'workflow.update', async (req) => {
      const headers = headersOf(req.body.headers);
      const result = await handleOf(req).executeUpdate(req.body.name, {
        args: req.body.args ?? [],
        ...(req.body.updateId ? { updateId: req.body.updateId } : {}),
        ...(headers ? { headers } : {}),
      });
      return { target: req.params.workflowId, body: { result: result ?? null } };
    }),
  );

  for (const action of ['cancel', 'terminate', 'pause'] as const) {
    app.post<{ Params: WorkflowParams; Body: { reason?: string; runId?: string } }>(
      `${base}/:workflowId/${action}`,
      { schema: { body: body({ reason: { type: 'string', maxLength: 1000 } }) } },
      mutation<{ Params: WorkflowParams; Body: { reason?: string; runId?: string } }>(
        ctx,
        'write',
        `workflow.${action}`,
        async (req) => {
          await handleOf(req)[action](req.body?.reason);
          return { target: req.params.workflowId, body: {} };
        },
      ),
    );
  }

  app.post<{ Params: WorkflowParams; Body: { runId?: string } }>(
    `${base}/:workflowId/resume`,
    { schema: { body: body({}) } },
    mutation<{ Params: WorkflowParams; Body: { runId?: string } }>(
      ctx,
      'write',
      'workflow.resume',
      async (req) => {
        await handleOf(req).resume();
        return { target: req.params.workflowId, body: {} };
      },
    ),
  );

  const VERSION = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
  app.post<{
    Params: WorkflowParams;
    Body: { runId?: string; to?: number | string; reason?: string; version?: string };
  }>(
    `${base}/:workflowId/reset`,
    {
      schema: {
        body: body({
          to: {
            anyOf: [
              { type: 'integer', minimum: 1 },
              { enum: ['firstWorkflowTask', 'lastWorkflowTask'] },
            ],
          },
          reason: { type: 'string', maxLength: 1000 },
          version: VERSION,
        }),
      },
    },
    mutation<{
      Params: WorkflowParams;
      Body: { runId?: string; to?: number | string; reason?: string; version?: string };
    }>(ctx, 'write', 'workflow.reset', async (req) => {
      ctx.namespace(req.params.namespace);
      const b = req.body ?? {};
      const handle = await ctx.scope(req.params.namespace).reset(req.params.workflowId, {
        ...(b.runId ? { runId: b.runId } : {}),
        ...(b.to !== undefined ? { to: b.to as ResetPoint } : {}),
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.version ? { version: b.version } : {}),
      });
      const described = await handle.describe();
      return {
        target: req.params.workflowId,
        body: { workflowId: handle.workflowId, runId: described.runId },
      };
    }),
  );

  app.post<{ Params: WorkflowParams; Body: { runId?: string; reason?: string; version?: string } }>(
    `${base}/:workflowId/reopen`,
    { schema: { body: body({ reason: { type: 'string', maxLength: 1000 }, version: VERSION }) } },
    mutation<{
      Params: WorkflowParams;
      Body: { runId?: string; reason?: string; version?: string };
    }>(ctx, 'write', 'workflow.reopen', async (req) => {
      ctx.namespace(req.params.namespace);
      const b = req.body ?? {};
      const handle = await ctx.scope(req.params.namespace).reopen(req.params.workflowId, {
        ...(b.runId ? { runId: b.runId } : {}),
        ...(b.reason ? { reason: b.reason } : {}),
        ...(b.version ? { version: b.version } : {}),
      });
      const described = await handle.describe();
      return {
        target: req.params.workflowId,
        body: { workflowId: handle.workflowId, runId: described.runId },
      };
    }),
  );

  app.post<{ Params: WorkflowParams; Body: { runId?: string; version?: string } }>(
    `${base}/:workflowId/retry`,
    { schema: { body: body({ version: VERSION }) } },
    mutation<{ Params: WorkflowParams; Body: { runId?: string; version?: string } }>(
      ctx,
      'write',
      'workflow.retry',
      async (req) => {
        ctx.namespace(req.params.namespace);
        const b = req.body ?? {};
        const out = await ctx.scope(req.params.namespace).retry(req.params.workflowId, {
          ...(b.runId ? { runId: b.runId } : {}),
          ...(b.version ? { version: b.version } : {}),
        });
        return { target: req.params.workflowId, body: out };
      },
    ),
  );
}
