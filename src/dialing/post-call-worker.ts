import type { Worker } from 'bullmq';
import type { App } from '../app.ts';
import { makeWorker, queueOf, type CatalogQueue } from '../jobs/queues.ts';
import { makeConversationReader } from './call-record-reader.ts';
import { checkConversations, type CheckConversationsOptions } from './check-conversations.ts';

/** How often a post-call pass runs (each one reads only what is due). */
export const postCallEveryMs = 2000;

/** Adds the post-call job scheduler where Redis lacks it (first start, or a Redis that lost its keys). */
export async function ensurePostCallScheduler(queue: CatalogQueue<'postCall'>, everyMs = postCallEveryMs): Promise<boolean> {
  if (await queue.getJobScheduler('conversations')) return false;
  await queue.upsertJobScheduler('conversations', { every: everyMs }, { name: 'conversations', data: { task: 'conversations' } });
  return true;
}

/**
 * The post-call worker: reads what answered calls achieved (see checkConversations). A worker of its
 * own, one pass at a time per process, so a slow read never holds up dials, reconciliation or reaping;
 * its reads share the read budget of reconciliation (CALL_RECORD_READS_PER_SECOND). `busy` (the
 * process's pressure signal) makes it give way to the dials of its process.
 */
export async function startPostCallWorker(app: App, options: Pick<CheckConversationsOptions, 'busy'> = {}): Promise<Worker> {
  await ensurePostCallScheduler(queueOf(app, 'postCall'));
  const client = makeConversationReader(app);
  const worker = makeWorker(app, 'postCall', async () => {
    if (!client) return 0;
    const sweep = await checkConversations(app, client, { firstGapMs: app.config.CONVERSATION_CHECK_SECONDS * 1000, busy: options.busy });
    if (sweep.timedOut > 0 || sweep.optedOut > 0) app.log.info(sweep, 'post-call pass');
    return sweep.completed + sweep.timedOut;
  });
  worker.on('error', (error) => app.log.error({ err: error }, 'post-call worker error'));
  return worker;
}
