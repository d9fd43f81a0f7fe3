import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { makeApp, type App } from '../../src/app.ts';
import { makeServer, type ServerOptions } from '../../src/http/server.ts';
import type { TestDatabase } from './database.ts';
import { testConfig } from './test-env.ts';

export interface TestApp {
  app: App;
  /** The HTTP server (not listening: use inject), when asked for. */
  server: FastifyInstance;
}

/**
 * An App on the test file's schema (`env` over DATABASE_URL and LOG_LEVEL=silent) and, with `server`,
 * its HTTP server, made in beforeAll and closed in afterAll. Read the fields inside tests and hooks.
 */
export function useTestApp(db: TestDatabase, env: Record<string, string> = {}, options: { server?: ServerOptions } = {}): TestApp {
  const handle = {} as TestApp;
  beforeAll(async () => {
    handle.app = makeApp(testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env }));
    if (options.server) handle.server = await makeServer(handle.app, options.server);
  });
  afterAll(async () => {
    await handle.server?.close();
    await handle.app?.close();
  });
  return handle;
}
