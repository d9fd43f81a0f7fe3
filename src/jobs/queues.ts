import { Queue, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { App } from '../app.ts';
import { connectRedis, keyGroupPrefix } from '../redis.ts';
import { jobCatalog, type JobPayload, type QueueKey } from './catalog.ts';

/** A producer for one catalog queue, under the app's QUEUE_PREFIX, with the catalog's job options. */
export function makeQueue<K extends QueueKey>(app: App, key: K): Queue<JobPayload<K>> {
  const entry = jobCatalog[key];
  return new Queue<JobPayload<K>>(entry.queueName, {
    connection: app.redis(),
    prefix: queuePrefixOf(app, entry.queueName),
    defaultJobOptions: entry.options,
  });
}

/** The BullMQ prefix of a queue: QUEUE_PREFIX, or on a cluster a hash tag of its own (see keyGroupPrefix). */
export function queuePrefixOf(app: App, queueName: string): string {
  return keyGroupPrefix(app.redisTarget, app.config.QUEUE_PREFIX, queueName);
}

export type CatalogQueue<K extends QueueKey> = Queue<JobPayload<K>>;

const producers = new WeakMap<App, Map<QueueKey, Queue>>();

/**
 * The App's one producer for a catalog queue, opened on first use and closed with the App: a Queue
 * per call would open and close its Redis scripts and handles on every feeder pass.
 */
export function queueOf<K extends QueueKey>(app: App, key: K): CatalogQueue<K> {
  let byKey = producers.get(app);
  if (!byKey) {
    const opened = new Map<QueueKey, Queue>();
    producers.set(app, (byKey = opened));
    app.onClose(() => Promise.allSettled([...opened.values()].map((queue) => queue.close())));
  }
  let queue = byKey.get(key);
  if (!queue) {
    byKey.set(key, (queue = makeQueue(app, key) as Queue));
    // Its connection is the App's, which reports an outage itself (and reconnects); without a listener
    // BullMQ prints every reconnect try's error on the console.
    queue.on('error', (error) => app.log.debug({ reason: error.message, queue: key }, 'queue connection error'));
  }
  return queue as CatalogQueue<K>;
}

/** Adds a job after checking its payload against the catalog. */
export async function addJob<K extends QueueKey>(
  queue: CatalogQueue<K>,
  key: K,
  payload: JobPayload<K>,
  options: { jobId?: string; delay?: number } = {},
): Promise<void> {
  const data = jobCatalog[key].payload.parse(payload) as JobPayload<K>;
  // BullMQ's name parameter type is derived from the data type; the name is informative only.
  await (queue as Queue).add(key, data, { ...jobCatalog[key].options, ...options });
}

/** Adds jobs in one round trip, each payload checked against the catalog first. */
export async function addJobs<K extends QueueKey>(queue: CatalogQueue<K>, key: K, jobs: readonly { payload: JobPayload<K>; jobId?: string }[]): Promise<void> {
  if (jobs.length === 0) return;
  const entry = jobCatalog[key];
  await (queue as Queue).addBulk(
    jobs.map((job) => ({ name: key, data: entry.payload.parse(job.payload), opts: { ...entry.options, ...(job.jobId ? { jobId: job.jobId } : {}) } })),
  );
}

/**
 * A worker for one catalog queue. The payload is parsed before the handler sees it: a malformed job
 * fails at once (attempts: 1) instead of acting on bad data. The worker opens (and closes) its own
 * Redis connection: blocking commands need one.
 */
export function makeWorker<K extends QueueKey>(
  app: App,
  key: K,
  handle: (payload: JobPayload<K>, job: Job, token: string | undefined) => Promise<unknown>,
  options: Omit<WorkerOptions, 'connection' | 'prefix'> = {},
): Worker {
  const entry = jobCatalog[key];
  const running = new Set<Promise<unknown>>();
  // BullMQ opens a connection from options only to a single server: a cluster client is handed in,
  // and, being the caller's, is closed here once the worker is.
  const cluster = app.redisTarget.clusterNodes ? connectRedis(app.redisTarget) : undefined;
  const worker = new Worker(
    entry.queueName,
    async (job, token) => {
      const run = handle(entry.payload.parse(job.data) as JobPayload<K>, job, token);
      running.add(run);
      try {
        return await run;
      } finally {
        running.delete(run);
      }
    },
    { ...options, connection: cluster ?? { url: app.config.REDIS_URL, maxRetriesPerRequest: null }, prefix: queuePrefixOf(app, entry.queueName) },
  );
  if (cluster) {
    cluster.on('error', () => undefined); // the worker's own 'error' events report it
    worker.on('closed', () => cluster.disconnect());
    ownConnections.set(worker, cluster);
  }
  runningHandlers.set(worker, running);
  return worker;
}

const runningHandlers = new WeakMap<Worker, Set<Promise<unknown>>>();
const ownConnections = new WeakMap<Worker, { disconnect(): void }>();

/**
 * Closes a worker made by makeWorker gracefully: it stops taking jobs and its running handlers finish.
 * BullMQ's own close() can wait forever on a connection that went through a Redis restart
 * (taskforcesh/bullmq#4656), so once our handlers are done (their results are in Postgres) close()
 * gets `settleMs` more and is then given up on; the process may exit, and anything BullMQ still held
 * is recovered as a stalled job, which the Postgres claim makes harmless.
 */
export async function closeWorker(worker: Worker, settleMs = 5000): Promise<void> {
  const closing = worker.close().catch(() => undefined);
  const handlersDone = Promise.allSettled([...(runningHandlers.get(worker) ?? [])]);
  let timer: NodeJS.Timeout | undefined;
  const settled = handlersDone.then(() => new Promise<void>((resolve) => (timer = setTimeout(resolve, settleMs))));
  await Promise.race([closing, settled]);
  clearTimeout(timer);
  // A close() given up on never reaches 'closed': the cluster client handed to the worker goes here.
  ownConnections.get(worker)?.disconnect();
}
