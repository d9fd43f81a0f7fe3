import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.ts';

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/dialer');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(3000);
    expect(config.ACCOUNT_CALLS_PER_SECOND).toBe(30);
    expect(config.TELNYX_API_BASE_URL).toBe('https://api.telnyx.com/v2');
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['DATABASE_URL', 'mysql://x/y'],
    ['REDIS_URL', 'http://localhost'],
    ['PORT', '70000'],
    ['PORT', 'abc'],
    ['TELNYX_PUBLIC_KEY', 'dG9vIHNob3J0'],
    ['API_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1'],
    ['REDIS_CLUSTER_NODES', 'a:1,,b:2'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`^invalid environment: ${name}: `));
  });

  it('reads REDIS_CLUSTER_NODES as a list of seed nodes', () => {
    expect(parseConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(parseConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000,10.0.0.2:7001' }).REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-a', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
  });

  it('refuses a reconcile grace period a dial request in flight could outlast', () => {
    expect(() => parseConfig({ RECONCILE_GRACE_SECONDS: '30', DIAL_REQUEST_TIMEOUT_MS: '30000' })).toThrow(
      /^invalid environment: RECONCILE_GRACE_SECONDS: must be at least DIAL_REQUEST_TIMEOUT_MS \+ 10 s/,
    );
    expect(parseConfig({ RECONCILE_GRACE_SECONDS: '40', DIAL_REQUEST_TIMEOUT_MS: '30000' }).RECONCILE_GRACE_SECONDS).toBe(40);
    expect(parseConfig({ RECONCILE_GRACE_SECONDS: '30' }).RECONCILE_GRACE_SECONDS).toBe(30); // with the default 15 s timeout
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'shh-this-is-secret';
    expect(() => parseConfig({ API_TOKEN: secret.slice(0, 5), TELNYX_API_KEY: secret, PORT: 'x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });
});
