/** Wire schemas shared by the server, the client SDK and remote workers. */
export * from './event-stream.js';
