/** `aion/server` — the HTTP/WebSocket server that sits on the engine's public API. */
export { ERROR_CODES } from '../core/index.js';
