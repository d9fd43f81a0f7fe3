import { Cluster, Redis } from 'ioredis';

/** A connection to the deployment's Redis: one server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES). */
export type RedisConnection = Redis | Cluster;

/** Where Redis is, as the config says it. */
export interface RedisTarget {
  url: string;
  clusterNodes?: { host: string; port: number }[] | undefined;
}

export function redisTargetOf(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: { host: string; port: number }[] | undefined }): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

/**
 * A connection fit for BullMQ (maxRetriesPerRequest: null: commands wait through a reconnect instead
 * of failing) and for blocking commands. On a cluster, a master that restarts leaves its slots without
 * a server for a while: the client retries the command (MOVED/TRYAGAIN/CLUSTERDOWN) instead of failing
 * it, and reloads the slot map when the node is back.
 */
export function connectRedis(target: RedisTarget): RedisConnection {
  if (!target.clusterNodes) return new Redis(target.url, { maxRetriesPerRequest: null, lazyConnect: false });
  return new Cluster(target.clusterNodes, {
    redisOptions: { maxRetriesPerRequest: null },
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 300,
    // Far above any outage a restart causes: a command is given up on only when the cluster is gone for good.
    maxRedirections: 1000,
  });
}

/**
 * The key prefix of one group of keys that Lua scripts read and write together (a BullMQ queue, the
 * pace limiter's windows). On one server it is `standalone` (the layout every release so far used).
 * On a cluster it is the hash tag `{QUEUE_PREFIX:group}`: a script's keys must all hash to one slot
 * (else CROSSSLOT), and a tag per group spreads the groups over the masters
 * (https://docs.bullmq.io/patterns/redis-cluster).
 */
export function keyGroupPrefix(target: RedisTarget, queuePrefix: string, group: string, standalone: string = queuePrefix): string {
  return target.clusterNodes ? `{${queuePrefix}:${group}}` : standalone;
}

/** A SCAN pattern matching every key of a QUEUE_PREFIX, in either layout. */
export function keysPatternOf(target: RedisTarget, queuePrefix: string): string {
  return target.clusterNodes ? `{${queuePrefix}:*` : `${queuePrefix}:*`;
}

/**
 * Deletes every key matching `pattern`. SCAN on a cluster covers one node only, so each master is
 * scanned, and its keys deleted there one by one (a multi-key DEL across slots is refused).
 */
export async function deleteKeysMatching(redis: RedisConnection, pattern: string): Promise<number> {
  if (redis instanceof Cluster && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let deleted = 0;
  for (const node of nodes) {
    const stream = node.scanStream({ match: pattern, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length === 0) continue;
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.del(key);
      await pipeline.exec();
      deleted += keys.length;
    }
  }
  return deleted;
}
