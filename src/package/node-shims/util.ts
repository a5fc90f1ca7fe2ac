// `util` (and `node:util`) for workflow code: the subset that is deterministic and needs no
// host — TextEncoder/TextDecoder (the sandbox's own), format, inspect, isDeepStrictEqual.
// Any other name fails the build ("does not export").
import { isDeepStrictEqual } from './deep-equal.js';
import { format, inspect } from './inspect.js';

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;
export { format, inspect, isDeepStrictEqual };

export default { TextEncoder, TextDecoder, format, inspect, isDeepStrictEqual };
