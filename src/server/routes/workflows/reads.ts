// Read routes of one workflow: describe, the result long-poll (one engine waiter per run
// however many clients poll), and history windows capped by event count and bytes.
import type { FastifyInstance } from 'fastify';
import type { HistoryEvent } from '../../../core/index.js';
import type { ServerContext } from '../../context.js';
import { read } from '../common.js';
import { handleOf, WORKFLOWS, type WorkflowParams } from './request.js';
import { decodeRequested, storedForReader } from '../../payload-codecs.js';
import { intParam } from './validation.js';
import {
  DEFAULT_RESULT_WAIT_MS,
  MAX_RESULT_WAIT_MS,
  waitKey,
  type ResultWaits,
} from './result-waits.js';

const DEFAULT_HISTORY_EVENTS = 1000;
const MAX_HISTORY_EVENTS = 10_000;
const DEFAULT_HISTORY_BYTES = 4 * 1024 * 1024;

interface DescribeRoute {
  Params: WorkflowParams;
  Querystring: { runId?: string };
}

interface ResultRoute {
  Params: WorkflowParams;
  Querystring: { runId?: string; waitMs?: string };
}

interface HistoryRoute {
  Params: WorkflowParams;
  Querystring: {
    runId?: string;
    firstExecutionRunId?: string;
    fromSeq?: string;
    maxEvents?: string;
    maxBytes?: string;
    decode?: string;
  };
}

export function readRoutes(app: FastifyInstance, ctx: ServerContext, waits: ResultWaits): void {
  app.get<DescribeRoute>(
    `${WORKFLOWS}/:workflowId`,
    read<DescribeRoute>(ctx, 'workflow.describe', async (req) => handleOf(ctx, req).describe()),
  );
  resultRoute(app, ctx, waits);
  historyRoute(app, ctx);
}

function resultRoute(app: FastifyInstance, ctx: ServerContext, waits: ResultWaits): void {
  app.get<ResultRoute>(
    `${WORKFLOWS}/:workflowId/result`,
    read<ResultRoute>(ctx, 'workflow.result', async (req, reply) => {
      const handle = handleOf(ctx, req);
      const waitMs =
        intParam(req.query.waitMs, 'waitMs', { min: 0, max: MAX_RESULT_WAIT_MS }) ??
        DEFAULT_RESULT_WAIT_MS;
      // An unknown workflow still fails fast: result() resolves the run before it waits
      // (a describe here cost four store reads per long-poll).
      const { namespace, workflowId } = req.params;
      const outcome = await waits.wait(
        waitKey(namespace, workflowId, req.query.runId),
        () => handle.result(),
        waitMs,
      );
      if (outcome === undefined) {
        void reply.code(202);
        return { status: 'RUNNING' };
      }
      if (!outcome.ok) throw outcome.error;
      return { status: 'COMPLETED', result: outcome.value ?? null };
    }),
  );
}

function historyRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<HistoryRoute>(
    `${WORKFLOWS}/:workflowId/history`,
    read<HistoryRoute>(ctx, 'workflow.history', async (req) => {
      const decode = decodeRequested(ctx, req, req.query.decode, 'workflow.history');
      const fromSeq =
        intParam(req.query.fromSeq, 'fromSeq', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? 1;
      const maxEvents =
        intParam(req.query.maxEvents, 'maxEvents', { min: 1, max: MAX_HISTORY_EVENTS }) ??
        DEFAULT_HISTORY_EVENTS;
      const maxBytes =
        intParam(req.query.maxBytes, 'maxBytes', { min: 1024, max: 64 * 1024 * 1024 }) ??
        DEFAULT_HISTORY_BYTES;
      const described = await handleOf(ctx, req).describe();
      const run = {
        namespace: described.namespace,
        workflowId: described.workflowId,
        runId: described.runId,
      };
      const stored = await ctx.engine.store.readHistory(run, { fromSeq, limit: maxEvents });
      const events = storedForReader(ctx, stored, decode);
      const page = capBySize(events, maxBytes);
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
}

/** Caps a page by size, always returning at least one event so a reader makes progress. */
function capBySize(events: readonly HistoryEvent[], maxBytes: number): HistoryEvent[] {
  const page: HistoryEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e));
    if (page.length > 0 && bytes + size > maxBytes) break;
    page.push(e);
    bytes += size;
  }
  return page;
}
