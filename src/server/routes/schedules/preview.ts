// `POST /api/v1/namespaces/:namespace/schedule-preview`: the next fire times of a spec that is
// not saved (the console shows them while a schedule is being written). Computes only: it
// reads and changes nothing, so the reader role may call it.
import type { FastifyInstance } from 'fastify';
import { compileScheduleSpec, nextFireTimes } from '../../../schedules/index.js';
import type { ServerContext } from '../../context.js';
import { read, type Params } from '../common.js';
import { instant, SPEC, specOf, type SpecBody } from './bodies.js';

interface PreviewRoute {
  Params: Params;
  Body: { spec: SpecBody; count?: number; after?: string | number };
}

const previewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['spec'],
  properties: {
    spec: SPEC,
    count: { type: 'integer', minimum: 1, maximum: 100 },
    after: {
      anyOf: [
        { type: 'string', minLength: 1, maxLength: 100 },
        { type: 'integer', minimum: 0 },
      ],
    },
  },
} as const;

export function schedulePreviewRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<PreviewRoute>(
    '/api/v1/namespaces/:namespace/schedule-preview',
    { schema: { body: previewSchema } },
    read<PreviewRoute>(ctx, 'schedule.preview', (req) => {
      ctx.namespace(req.params.namespace);
      const compiled = compileScheduleSpec(specOf(req.body.spec));
      const after =
        req.body.after !== undefined ? instant(req.body.after, 'body/after') : new Date();
      const times = nextFireTimes(compiled, after, req.body.count ?? 5);
      return Promise.resolve({ nextActionTimes: times.map((t) => t.toISOString()) });
    }),
  );
}
