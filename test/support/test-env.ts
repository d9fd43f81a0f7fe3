import { parseConfig, type Config } from '../../src/config.ts';

/**
 * The Postgres and Redis the tests use, derived from the shell's DATABASE_URL and REDIS_URL (read
 * through parseConfig, as every process reads them), so `npm test` runs wherever the README says
 * the dialer can: the same server and credentials, the database `<name>_test` (each test file then
 * adds a schema of its own), and Redis as is (each file uses a key prefix of its own).
 */
export function testDatabaseUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'dialer';
  url.pathname = `/${encodeURIComponent(name.endsWith('_test') ? name : `${name}_test`)}`;
  url.searchParams.delete('schema');
  return url.toString();
}

const shell = parseConfig();

/** The test database (no schema: useTestDatabase adds one per file). */
export const testDatabaseUrl = testDatabaseUrlOf(shell.DATABASE_URL);
export const testRedisUrl = shell.REDIS_URL;

/** parseConfig for an App a test makes in-process: the test Redis unless `env` says otherwise. */
export function testConfig(env: Record<string, string>): Config {
  return parseConfig({ REDIS_URL: testRedisUrl, ...env });
}

/**
 * The environment of a process a test spawns: the shell's, with the test database and Redis in place
 * of the shell's own (never the shell's DATABASE_URL), then `env` (the file's schema URL, a prefix, ...).
 */
export function testProcessEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: testDatabaseUrl, REDIS_URL: testRedisUrl, ...env };
}
