import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { App } from '../app.ts';
import { callbackRoutes } from '../callbacks/callback-routes.ts';
import { consoleRoutes } from '../console/console-routes.ts';
import { makeSignInLimiter, type SignInLimits } from '../console/sign-in-limit.ts';
import { replyWithError } from './error-reply.ts';
import { healthRoutes } from './health-routes.ts';
import { makeMetrics } from '../metrics/metrics.ts';
import { operatorRoutes } from './operator-routes.ts';

export interface ServerOptions {
  /** Clock for signature ages and callback receipt times (tests inject one). */
  now?: () => Date;
  /** Failed-token limits of the console's sign-in and the API's bearer token (defaultSignInLimits; tests shorten them). */
  signInLimits?: SignInLimits;
}

/**
 * The one HTTP server: Telnyx callbacks (authenticated by signature), the operator API (bearer
 * token), the operator console at / (a session cookie got with the token), /healthz and /metrics. Not listening yet: call listen(), or inject() in tests. close()
 * resolves only once every handler has finished, so the app (pool, Redis) can be closed after it.
 */
export async function makeServer(app: App, { now = () => new Date(), signInLimits }: ServerOptions = {}): Promise<FastifyInstance> {
  // Per-request lines off: callbacks arrive by thousands a second; handlers log what matters, with ids.
  const server = Fastify({
    loggerInstance: app.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  const metrics = makeMetrics(app);
  waitForHandlersOnClose(server);
  closeConnectionsAfterResponseOnClose(server);
  server.setErrorHandler(replyWithError);
  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, field: null } }),
  );
  await server.register(healthRoutes, { app, metrics });
  await server.register(callbackRoutes, { app, metrics, now });
  // One count of failed tokens for both doors: they guard the same secret.
  const signInLimiter = makeSignInLimiter(app, signInLimits);
  await server.register(operatorRoutes, { app, signInLimiter });
  await server.register(consoleRoutes, { app, signInLimiter });
  return server;
}

/**
 * close() ends the connections that are idle when it starts, and fastify answers new requests 503 with
 * `Connection: close`; but a request already in progress would leave its connection open for
 * keep-alive once answered, and that idle connection would hold close() (and SIGTERM) until
 * keepAliveTimeout (fastify's default: 72 s). Once closing, every response says `Connection: close`,
 * so Node ends its connection after it.
 */
function closeConnectionsAfterResponseOnClose(server: FastifyInstance): void {
  let closing = false;
  server.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  server.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * close() stops accepting and waits for open connections, but a handler whose client hung up (Telnyx
 * gave up waiting) has no connection left and keeps running: a callback still in its batch, an import
 * still merging. Every handler is tracked, and close() waits for them after the server has stopped,
 * so nothing uses the pool after the app closes it ("Cannot use a pool after calling end").
 */
function waitForHandlersOnClose(server: FastifyInstance): void {
  const running = new Set<Promise<unknown>>();
  server.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request, reply) {
      const result: unknown = handler.call(this, request, reply);
      if (!(result instanceof Promise)) return result;
      const tracked = result.finally(() => running.delete(tracked));
      tracked.catch(() => undefined); // fastify handles the rejection of `result`
      running.add(tracked);
      return result;
    };
  });
  // onClose hooks run after the server has stopped listening and its connections have ended.
  server.addHook('onClose', async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  });
}
