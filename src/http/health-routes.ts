import type { FastifyInstance } from 'fastify';
import type { App } from '../app.ts';
import type { Metrics } from '../metrics/metrics.ts';

const probeTimeoutMs = 2000;

/** /healthz: 200 when Postgres and Redis both answer, else 503 naming the one that does not. /metrics: Prometheus text. */
export async function healthRoutes(server: FastifyInstance, { app, metrics }: { app: App; metrics: Metrics }): Promise<void> {
  server.get('/healthz', async (_request, reply) => {
    const [postgres, redis] = await Promise.all([probe(() => app.pool.query('SELECT 1')), probe(() => app.redis().ping())]);
    const healthy = postgres === 'ok' && redis === 'ok';
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unavailable', postgres, redis });
  });
  server.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}

async function probe(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${probeTimeoutMs} ms`)), probeTimeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
