import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { explainFailure, httpStatusByCode, isDialerError } from '../errors.ts';

/** Every error leaves the API as JSON {error: {code, message, field}}; internals are logged, not sent. */
export function replyWithError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDialerError(error)) {
    return reply.code(httpStatusByCode[error.code]).send({ error: { code: error.code, message: error.message, field: error.field ?? null } });
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return reply.code(statusCode).send({ error: { code: httpCode(statusCode), message: error.message, field: null } });
  }
  const failure = explainFailure(error);
  if (failure.unavailable) {
    // Postgres out of reach or not migrated: the operator needs to know which (one line, no code frame).
    // Callbacks come from Telnyx, not an operator: they learn only that they may retry.
    request.log.error({ err: error, url: request.url }, `request failed: ${failure.message}`);
    const message = request.url.startsWith('/callbacks/') ? 'the database is unavailable; retry later' : failure.message;
    return reply.code(503).send({ error: { code: 'unavailable', message, field: null } });
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the server log', field: null } });
}

function httpCode(statusCode: number): string {
  if (statusCode === 413) return 'payload_too_large';
  if (statusCode === 415) return 'unsupported_media_type';
  if (statusCode === 404) return 'not_found';
  return 'bad_request';
}
