/**
 * HTTP request headers of the API that the client SDK and the server share.
 *
 * `aion-new-request-id: 1` goes with the first attempt of a start whose request id the client
 * generated for that call (not with its retries): no earlier request carried the id, so no run
 * can have been started by one, and the server starts the run without reading the workflow
 * id's current run first when the id policies are the defaults — the start commit itself
 * refuses the start if a run with that id is open. A client that sends it with a request id it
 * sent before gives up that start's idempotency, nothing else.
 */
export const NEW_REQUEST_ID_HEADER = 'aion-new-request-id';
