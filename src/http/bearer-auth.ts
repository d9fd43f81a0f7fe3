import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { signInRefusal, type SignInLimiter } from '../console/sign-in-limit.ts';

/**
 * onRequest hook for operator routes: `Authorization: Bearer $API_TOKEN`, compared in constant time.
 * Without API_TOKEN configured the operator API is off (503), never open. Wrong tokens count against
 * the same limits as the console's sign-in (per client address and overall): past them the request is
 * answered 429 without its token being compared. A right token is never counted, so a client may send
 * many requests at once; wrong ones sent at once may each be compared before the first is counted.
 */
export function makeBearerAuth(apiToken: string | undefined, limiter: SignInLimiter) {
  const expected = apiToken ? digest(apiToken) : null;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!expected) {
      return reply.code(503).send({
        error: { code: 'operator_api_disabled', message: 'the operator API is disabled: set API_TOKEN (16+ characters) and restart', field: null },
      });
    }
    const refused = await limiter.check(request.ip);
    // Without Redis the API still answers the right token: an operator must be able to pause or cancel
    // a campaign during a Redis outage. (The console's sign-in needs Redis for its session anyway.)
    if (refused?.scope === 'unavailable') {
      request.log.warn({ ip: request.ip }, 'operator API: wrong tokens are not being counted (Redis did not answer)');
    } else if (refused) {
      request.log.warn({ ip: request.ip, limit: refused.scope, retryAfterSeconds: refused.retryAfterSeconds }, 'operator API refused: too many wrong tokens');
      return reply
        .code(429)
        .header('retry-after', String(refused.retryAfterSeconds))
        .send({ error: { code: 'too_many_attempts', message: signInRefusal(refused, 'wrong tokens'), field: 'authorization' } });
    }
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    // Equal-length digests make the comparison constant-time whatever the presented token's length.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      request.log.warn({ ip: request.ip }, 'operator API refused: wrong bearer token');
      await limiter.failed(request.ip);
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
