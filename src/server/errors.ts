import {
  AionError,
  errorToFailure,
  isAionError,
  JsonPayloadConverter,
  type ErrorCode,
} from '../core/index.js';

const json = new JsonPayloadConverter();

/** The wire shape of every error response: `{ code, message, details }`. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

interface FastifyishError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly validation?: readonly { instancePath?: string; message?: string; params?: unknown }[];
  readonly validationContext?: string;
  readonly message: string;
}

/** Maps any error thrown by a handler (or by fastify itself) to a status and an error body. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (isAionError(err)) {
    const details: Record<string, unknown> = { ...err.details };
    if (err.code === 'workflow_failed' && err.cause !== undefined) {
      details.failure = errorToFailure(err.cause, (v) => json.toPayload(v));
    }
    return { status: err.httpStatus, body: { code: err.code, message: err.message, details } };
  }
  const e = err as FastifyishError;
  if (e.validation) {
    const first = e.validation[0];
    const where = `${e.validationContext ?? 'body'}${first?.instancePath ?? ''}`;
    const extra = (first?.params as { additionalProperty?: string } | undefined)
      ?.additionalProperty;
    if (extra !== undefined) {
      return error('invalid_argument', `${where} has unknown field ${JSON.stringify(extra)}`, {
        field: `${where}/${extra}`,
      });
    }
    return error('invalid_argument', `${where} ${first?.message ?? 'is invalid'}`, {
      field: where,
      params: first?.params,
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return error(
        'payload_too_large',
        `request body is too large: ${e.message}; send a smaller body (the server's limits are maxBodyBytes for JSON, maxPackageBytes for packages)`,
        { reason: 'body_too_large' },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return error(
        'invalid_argument',
        `unsupported content type: ${e.message}; send application/json (packages: application/octet-stream)`,
        {},
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return error('invalid_argument', `request body is not valid JSON: ${e.message}`, {});
    default:
      break;
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return error('invalid_argument', e.message, {});
  }
  return error('internal', e.message ?? String(err), {});
}

function error(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown>,
): { status: number; body: ErrorBody } {
  const err = new AionError(code, message, details);
  return { status: err.httpStatus, body: err.toJSON() };
}
