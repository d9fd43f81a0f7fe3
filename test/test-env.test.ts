import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { testDatabaseUrl, testDatabaseUrlOf, testProcessEnv, testRedisUrl } from './support/test-env.ts';

describe('the test database and Redis come from DATABASE_URL and REDIS_URL', () => {
  it('keeps the server and credentials of DATABASE_URL, with the database <name>_test and no schema', () => {
    expect(testDatabaseUrlOf('postgresql://postgres@127.0.0.1:5432/dialer')).toBe('postgresql://postgres@127.0.0.1:5432/dialer_test');
    expect(testDatabaseUrlOf('postgresql://app:s3cret@db.internal:6543/calls?schema=prod&sslmode=require')).toBe(
      'postgresql://app:s3cret@db.internal:6543/calls_test?sslmode=require',
    );
    expect(testDatabaseUrlOf('postgres://u@h/dialer_test?schema=test_abc')).toBe('postgres://u@h/dialer_test');
    expect(testDatabaseUrlOf('postgresql://u@h:5432')).toBe('postgresql://u@h:5432/dialer_test');
  });

  it('derives from this shell’s environment through parseConfig, and hands it to spawned processes', () => {
    const shell = parseConfig();
    expect(testDatabaseUrl).toBe(testDatabaseUrlOf(shell.DATABASE_URL));
    expect(testRedisUrl).toBe(shell.REDIS_URL);
    const env = testProcessEnv({ QUEUE_PREFIX: 'p' });
    expect(env).toMatchObject({ DATABASE_URL: testDatabaseUrl, REDIS_URL: testRedisUrl, QUEUE_PREFIX: 'p' });
    expect(testProcessEnv({ DATABASE_URL: `${testDatabaseUrl}?schema=s` }).DATABASE_URL).toBe(`${testDatabaseUrl}?schema=s`);
  });
});
