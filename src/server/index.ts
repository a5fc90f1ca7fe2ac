/** `aion/server` — the HTTP/WebSocket server that sits on the engine's public API. */
export { ERROR_CODES } from '../core/index.js';
export { AionServer, createServer, jsonLogger, type CreateServerOptions } from './server.js';
export {
  loadConfig,
  isLoopback,
  DEFAULT_CONFIG,
  DEFAULT_PORT,
  type ServerConfig,
  type LoadConfigInput,
} from './config.js';
export type { ConsoleStatus } from './console/index.js';
export { ApiKeys, type ApiKeyInfo, type CreateKeyRequest } from './api-keys.js';
export {
  Authenticator,
  ROLES,
  isRole,
  type Role,
  type Principal,
  type Permission,
} from './auth.js';
export { PrometheusMetrics } from './prometheus.js';
export { payloadCodecsOf } from './payload-codecs.js';
export type { ServerContext, ServerPlugin, ServerLogger } from './context.js';
export { eventStream, eventStreamPlugin } from './event-stream.js';
export type { StreamLimits } from './stream/socket-sink.js';
