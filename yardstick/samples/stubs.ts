// Stand-ins for live endpoints, written into the copy's node_modules. Only client libraries of
// endpoints the samples call over the network are stubbed; nothing of Aion is.

/**
 * `axios`: answers like httpbin.org `GET /get` (the query's arguments echoed in `args`) and
 * records each request on `globalThis.__axiosCalls`.
 */
const AXIOS = `
const calls = (globalThis.__axiosCalls ??= []);
function answer(config) {
  calls.push(config);
  const url = new URL(config.url, 'http://localhost');
  return Promise.resolve({ status: 200, data: { args: Object.fromEntries(url.searchParams) } });
}
export default function axios(config) {
  return answer(config);
}
axios.get = (url, config = {}) => answer({ ...config, url, method: 'get' });
axios.post = (url, data, config = {}) => answer({ ...config, url, data, method: 'post' });
`;

/** Package name → files of its stand-in package. */
export const STUBS: Record<string, Record<string, string>> = {
  axios: {
    'package.json': JSON.stringify({
      name: 'axios',
      version: '0.0.0-yardstick-stub',
      type: 'module',
      exports: { '.': './index.js' },
    }),
    'index.js': AXIOS,
  },
};
