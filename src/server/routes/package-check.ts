// The pre-deploy replay check (admin): the body is a `.aion` archive, as for a deploy; a
// sample of open runs of the types it exports is replayed against it. Nothing is stored,
// routed or audited as a change.
import type { FastifyInstance } from 'fastify';
import { AionError } from '../../core/index.js';
import type { ServerContext } from '../context.js';
import type { Params } from './common.js';
import { intParam } from './workflows/index.js';

const NS = '/api/v1/namespaces/:namespace';

interface CheckRoute {
  Params: Params;
  Querystring: { sample?: string };
  Body: Buffer;
}

/** `POST {ns}/packages/check?sample=50`: the content-type parser is the deploy route's. */
export function packageCheckRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<CheckRoute>(`${NS}/packages/check`, async (req) => {
    ctx.authorize(req, 'admin', 'package.check');
    ctx.namespace(req.params.namespace);
    const sample = intParam(req.query.sample, 'sample', { min: 1, max: 1000 }) ?? 50;
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
      throw new AionError(
        'invalid_argument',
        'send the package archive as the request body with Content-Type: application/octet-stream',
        {},
      );
    }
    return ctx.scope(req.params.namespace).checkDeploy(new Uint8Array(req.body), { sample });
  });
}
