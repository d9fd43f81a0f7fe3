import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * onRequest hook for operator routes: `Authorization: Bearer $API_TOKEN`, compared in constant time.
 * Without API_TOKEN configured the operator API is off (503), never open.
 */
export function makeBearerAuth(apiToken: string | undefined) {
  const expected = apiToken ? digest(apiToken) : null;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!expected) {
      return reply.code(503).send({
        error: { code: 'operator_api_disabled', message: 'the operator API is disabled: set API_TOKEN (16+ characters) and restart', field: null },
      });
    }
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    // Equal-length digests make the comparison constant-time whatever the presented token's length.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'unauthorized', message: 'missing or wrong bearer token (Authorization: Bearer $API_TOKEN)', field: 'authorization' } });
    }
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
