// `url` (and `node:url`) for workflow code: the WHATWG URL API only (the sandbox's own URL
// and URLSearchParams). Legacy `url.parse`/`format` and file-path helpers are not provided.
export const URL = globalThis.URL;
export const URLSearchParams = globalThis.URLSearchParams;

export default { URL, URLSearchParams };
