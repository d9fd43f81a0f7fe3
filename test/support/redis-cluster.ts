import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { connectRedis, deleteKeysMatching, keysPatternOf, type RedisTarget } from '../../src/redis.ts';
import { findFreePort } from './chaos-harness.ts';
import { testRedisUrl } from './test-env.ts';

const run = promisify(execFile);
const script = new URL('../../scripts/redis-cluster.sh', import.meta.url).pathname;

/** The shared test cluster's ports: scripts/redis-cluster.sh's defaults (.ci/run starts it). */
export const sharedClusterPorts = [7101, 7102, 7103];

/** REDIS_CLUSTER_NODES of a cluster on these loopback ports. */
export function clusterNodesOf(ports: number[]): string {
  return ports.map((port) => `127.0.0.1:${port}`).join(',');
}

/** The three-master cluster on `ports` (scripts/redis-cluster.sh: reused when already up, else started and joined). */
export async function ensureRedisCluster(ports: number[] = sharedClusterPorts, dir?: string): Promise<void> {
  await run('bash', [script, 'start'], { env: { ...process.env, REDIS_CLUSTER_PORTS: ports.join(' '), ...(dir ? { REDIS_CLUSTER_DIR: dir } : {}) } });
}

/**
 * The shared cluster, started if needed (beforeAll), and a key prefix of this file's own on it whose
 * keys (every hash-tagged group, on every master) are deleted afterwards.
 */
export function useSharedRedisCluster(prefix: string): { REDIS_CLUSTER_NODES: string } {
  const env = { REDIS_CLUSTER_NODES: clusterNodesOf(sharedClusterPorts) };
  beforeAll(async () => {
    await ensureRedisCluster();
  });
  afterAll(async () => {
    const target = clusterTarget(sharedClusterPorts);
    const redis = connectRedis(target);
    await deleteKeysMatching(redis, keysPatternOf(target, prefix));
    redis.disconnect();
  });
  return env;
}

export function clusterTarget(ports: number[]): RedisTarget {
  return { url: testRedisUrl, clusterNodes: ports.map((port) => ({ host: '127.0.0.1', port })) };
}

/** A three-master cluster of the test's own on free ports, so restarting one of its masters disturbs no other test file. */
export interface OwnRedisCluster {
  ports: number[];
  env: { REDIS_CLUSTER_NODES: string };
  /** Shuts one master down without saving (its keys are lost, as in a crash without persistence) and starts it again; it rejoins with its slots. */
  restartMaster(port: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnRedisCluster(): Promise<OwnRedisCluster> {
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await findFreePort();
    // A cluster node also listens on port + 10000 (its bus port).
    if (port < 55_000 && !ports.includes(port)) ports.push(port);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'dialer-cluster-'));
  await ensureRedisCluster(ports, dir);
  const withPorts = { ...process.env, REDIS_CLUSTER_PORTS: ports.join(' '), REDIS_CLUSTER_DIR: dir };
  return {
    ports,
    env: { REDIS_CLUSTER_NODES: clusterNodesOf(ports) },
    async restartMaster(port) {
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
      await run('bash', [script, 'start'], { env: withPorts });
    },
    async stop() {
      await run('bash', [script, 'stop'], { env: withPorts });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every key of a QUEUE_PREFIX, from every master on a cluster. */
export async function scanKeys(target: RedisTarget, prefix: string): Promise<string[]> {
  const redis = connectRedis(target);
  try {
    if (redis instanceof Cluster && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    const keys: string[] = [];
    for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
      for await (const batch of node.scanStream({ match: keysPatternOf(target, prefix), count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
    }
    return keys;
  } finally {
    redis.disconnect();
  }
}
