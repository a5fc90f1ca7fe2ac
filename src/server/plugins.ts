import type { ServerPlugin } from './context.js';
import { workerProtocol } from './worker-protocol.js';
import { eventStreamPlugin } from './event-stream.js';

/**
 * Route modules every server mounts after the core HTTP API (event stream, remote worker
 * protocol). Each module owns its routes under `/api/v1`.
 */
export const DEFAULT_PLUGINS: readonly ServerPlugin[] = [eventStreamPlugin, workerProtocol];
