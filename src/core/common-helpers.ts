// Helpers that Temporal's `@temporalio/common` offers only through its deep paths
// (`lib/encoding`, `lib/type-helpers`) and that ported code imports: UTF-8 conversion and the
// tolerant reads of an error's message and code. Pure and deterministic, so workflow code may
// use them; the encoder and decoder are captured once, when the module loads.

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Encodes a string as UTF-8 bytes (as `encode` of `@temporalio/common/lib/encoding`).
 *
 * @example encode('hé') // Uint8Array [104, 195, 169]
 */
export function encode(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Decodes UTF-8 bytes into a string (as `decode` of `@temporalio/common/lib/encoding`);
 * invalid sequences become U+FFFD.
 *
 * @example decode(new Uint8Array([104, 105])) // 'hi'
 */
export function decode(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/**
 * The message of an error-shaped value (an object with string `name` and `message`, from any
 * realm), the value itself when it is a string, otherwise `undefined` (as `errorMessage` of
 * `@temporalio/common/lib/type-helpers`).
 *
 * @example errorMessage(new Error('boom')) // 'boom'
 */
export function errorMessage(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  const message = field(error, 'message');
  const stack = field(error, 'stack');
  const errorShaped =
    typeof field(error, 'name') === 'string' &&
    typeof message === 'string' &&
    (stack === undefined || stack === null || typeof stack === 'string');
  return errorShaped ? message : undefined;
}

/**
 * The string `code` of an object (`error.code`, as Node's system errors and Aion's errors
 * carry), otherwise `undefined` (as `errorCode` of `@temporalio/common/lib/type-helpers`).
 *
 * @example errorCode(Object.assign(new Error('gone'), { code: 'ENOENT' })) // 'ENOENT'
 */
export function errorCode(error: unknown): string | undefined {
  const code = field(error, 'code');
  return typeof code === 'string' ? code : undefined;
}
