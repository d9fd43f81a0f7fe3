import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { App } from '../app.ts';
import { callbackRoutes } from '../callbacks/callback-routes.ts';
import { replyWithError } from './error-reply.ts';
import { healthRoutes } from './health-routes.ts';
import { makeMetrics } from './metrics.ts';
import { operatorRoutes } from './operator-routes.ts';

export interface ServerOptions {
  /** Clock for signature ages and callback receipt times (tests inject one). */
  now?: () => Date;
}

/**
 * The one HTTP server: Telnyx callbacks (authenticated by signature), the operator API (bearer
 * token), /healthz and /metrics. Not listening yet: call listen(), or inject() in tests.
 */
export async function makeServer(app: App, { now = () => new Date() }: ServerOptions = {}): Promise<FastifyInstance> {
  // Per-request lines off: callbacks arrive by thousands a second; handlers log what matters, with ids.
  const server = Fastify({
    loggerInstance: app.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  const metrics = makeMetrics(app);
  server.setErrorHandler(replyWithError);
  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, field: null } }),
  );
  await server.register(healthRoutes, { app, metrics });
  await server.register(callbackRoutes, { app, metrics, now });
  await server.register(operatorRoutes, { app });
  return server;
}
