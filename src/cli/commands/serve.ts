import type { Command } from 'commander';
import { listenForShutdown } from '../../shutdown.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the HTTP server on HOST:PORT: Telnyx callbacks (/callbacks/KIND/ATTEMPT_ID, KIND one of status, conversation, amd, recording; ' +
        'verified with TELNYX_PUBLIC_KEY when set), the operator API under /api (Authorization: Bearer $API_TOKEN), the operator console at / (sign in with API_TOKEN), ' +
        '/healthz and /metrics. Stops cleanly on SIGINT/SIGTERM, finishing requests in flight.',
    )
    .action(async () => {
      const [{ makeApp }, { makeServer }, { checkSessionSettings }] = await Promise.all([
        import('../../app.ts'),
        import('../../http/server.ts'),
        import('../../db/connection.ts'),
      ]);
      const app = makeApp();
      await checkSessionSettings(app.pool, app.db);
      const server = await makeServer(app);
      if (!app.config.TELNYX_PUBLIC_KEY) app.log.warn('TELNYX_PUBLIC_KEY is not set: callback signatures are NOT verified');
      if (!app.config.API_TOKEN) app.log.warn('API_TOKEN is not set: the operator API answers 503');
      await server.listen({ host: app.config.HOST, port: app.config.PORT });
      await listenForShutdown().received;
      // In order: stop accepting, let requests in flight (and their callback batches) commit, then
      // close Postgres and Redis, which those requests use until they end.
      app.log.info('stopping: finishing requests in flight');
      try {
        await server.close();
      } finally {
        await app.close();
      }
    });
}
