// `/api/v1/namespaces/:namespace/workflows…`: registers the workflow routes, one file per
// action group (start, list, reads, messages, control, recovery) in a fixed order.
// The files here import `../common.js` and `../../context.js` by path: the server's index is
// the public `aion/server` entry, which leaves out route helpers and leads back here.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.js';
import { controlRoutes } from './control.js';
import { listRoutes } from './list.js';
import { messageRoutes } from './messages.js';
import { readRoutes } from './reads.js';
import { recoveryRoutes } from './recovery.js';
import { resultWaits } from './result-waits.js';
import { startRoutes } from './start.js';
import { timeTravelRoutes } from './time-travel.js';

// Body fragments and checks the schedule routes share.
export { ARGS, HEADERS, headersOf, ID, intParam, NAME, REASON } from './validation.js';

/** `/api/v1/namespaces/:namespace/workflows…`: start, signal, query, update, control, read. */
export function workflowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const waits = resultWaits(app);
  startRoutes(app, ctx, waits);
  listRoutes(app, ctx);
  readRoutes(app, ctx, waits);
  messageRoutes(app, ctx);
  timeTravelRoutes(app, ctx);
  controlRoutes(app, ctx);
  recoveryRoutes(app, ctx);
}
