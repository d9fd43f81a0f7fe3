import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.ts';
import { applyOptOut } from '../conversations/apply-opt-out.ts';
import { enrollAnsweredCalls, saveConversationProgress, takeDueConversations, type DueConversation } from '../conversations/conversation-rows.ts';
import { evaluateRule, readInsightRuns } from '../conversations/conversation-rules.ts';
import type { ConversationClient } from '../telnyx/conversation-client.ts';

export interface CheckConversationsOptions {
  /** Wait after a read that left something missing; doubles with each read up to maxGapMs. */
  firstGapMs: number;
  maxGapMs?: number;
  /** How long one process holds a conversation it reads. Default 60 s. */
  leaseMs?: number;
  /** Conversations taken at a time. Default 200. */
  limit?: number;
  /** A pass takes further batches while due ones remain, for at most this long. Default 10 s. */
  maxPassMs?: number;
  /** Reads in flight at once (each still waits for the shared read budget). Default 8. */
  concurrency?: number;
  /**
   * True while dialing in this process needs the CPU (see makeProcessPressure): conversations are then
   * read one at a time, busyGapMs apart. Default: never busy.
   */
  busy?: () => boolean;
  /** The pause after each conversation read while busy. Default 200 ms. */
  busyGapMs?: number;
}

export const defaultBusyGapMs = 200;

export interface ConversationSweep {
  enrolled: number;
  checked: number;
  /** Finished: everything read (completed) or given up on at the deadline (timed_out). */
  completed: number;
  timedOut: number;
  optedOut: number;
}

/**
 * The post-call work (one pass): calls that ended answered by a person get a call_conversation row; each
 * due one is read from Telnyx's AI conversations: the conversation (named by the conversation callback,
 * else found by the call's id), its whole transcript when the campaign wants it, and its insights until
 * they are completed or failed, or the deadline (end of call + insightsWaitSeconds) passes. A 404 (not
 * visible yet), a 429 or an error after retries only schedules the next read, later each time. Goal and
 * opt-out are decided as soon as their insight is in; an opt-out reaches the do-not-call list at once.
 * Every step is idempotent and the state lives in Postgres: a pass cut short is taken up by the next.
 */
export async function checkConversations(app: App, client: ConversationClient, options: CheckConversationsOptions): Promise<ConversationSweep> {
  const startedAt = Date.now();
  const leaseMs = options.leaseMs ?? 60_000;
  // A batch is leased at once: no more than the read budget can read well within the lease (up to
  // ~3 reads each and retries), or another process would take the rest again and read them twice.
  const batch = options.limit ?? Math.max(1, Math.min(200, Math.floor((app.config.CALL_RECORD_READS_PER_SECOND * leaseMs) / 1000 / 4)));
  const sweep: ConversationSweep = { enrolled: 0, checked: 0, completed: 0, timedOut: 0, optedOut: 0 };
  // A backlog (a burst of answered calls, a restart) is worked through batch after batch within one
  // pass, for at most maxPassMs: the pass stays short enough for its job to end and the next to start.
  const passOver = () => Date.now() - startedAt >= (options.maxPassMs ?? 10_000);
  for (;;) {
    const added = await enrollAnsweredCalls(app.pool, batch * 5);
    sweep.enrolled += added;
    if (added < batch * 5 || passOver()) break;
  }
  const gapMs = options.busyGapMs ?? defaultBusyGapMs;
  // While busy, a batch is what the slow pace reads within the pass and well within the lease.
  const busyBatch = Math.max(1, Math.min(batch, Math.floor(Math.min(leaseMs / 4, options.maxPassMs ?? 10_000) / gapMs)));
  while (!passOver()) {
    const take = options.busy?.() ? busyBatch : batch;
    const due = await takeDueConversations(app.pool, leaseMs, take);
    sweep.checked += due.length;
    // Rows still unread at half the lease are left to lapse: never read while another process may hold them.
    const readBy = Date.now() + leaseMs / 2;
    await forEachYielding(due, { ...options, readBy }, async (conversation) => {
      try {
        const outcome = await readConversation(app, client, conversation, options);
        if (outcome.state === 'completed') sweep.completed += 1;
        if (outcome.state === 'timed_out') sweep.timedOut += 1;
        if (outcome.optedOutNow) sweep.optedOut += 1;
      } catch (error) {
        // The lease lapses and a later pass reads it again.
        app.log.error({ err: error, attemptId: conversation.attemptId }, 'conversation read failed');
      }
    });
    if (due.length < take) break;
  }
  return sweep;
}

// Post-call work gives way to dialing: while the signal says busy, one conversation at a time with a
// pause after each (its reads and writes then take little CPU from the dials), back to `concurrency`
// as soon as it clears. It never stops: insights have a deadline. Leases and idempotence are untouched.
async function forEachYielding<T>(items: T[], options: CheckConversationsOptions & { readBy: number }, work: (item: T) => Promise<void>): Promise<void> {
  const busy = options.busy ?? (() => false);
  const gapMs = options.busyGapMs ?? defaultBusyGapMs;
  let next = 0;
  const more = () => next < items.length && Date.now() < options.readBy;
  const lane = async (index: number): Promise<void> => {
    while (more()) {
      // While busy only the first lane reads, pausing after each conversation; the others wait.
      if (index > 0 && busy()) {
        await sleep(gapMs);
        continue;
      }
      await work(items[next++]!);
      if (index === 0 && busy() && more()) await sleep(gapMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, (_, index) => lane(index)));
}

async function readConversation(
  app: App,
  client: ConversationClient,
  row: DueConversation,
  options: CheckConversationsOptions,
): Promise<{ state: 'pending' | 'completed' | 'timed_out'; optedOutNow: boolean }> {
  const { rules } = row;
  const notes: string[] = [];
  let conversationId = row.conversationId;
  let transcript = row.transcript;
  let insights = row.insights;
  let insightsPending = Math.max(1, Object.keys(rules.insights).length);
  let insightsFinished = false;

  if (!conversationId && row.callSid) {
    const found = await client.findByCall(row.callSid);
    if (found.kind === 'ok' && found.value) conversationId = found.value;
    else notes.push(found.kind === 'error' ? `conversation search failed: ${found.reason}` : 'conversation not visible yet');
  } else if (!conversationId) {
    notes.push('the call has no call id to find its conversation by');
  }

  if (conversationId) {
    if (rules.transcript && transcript === null) {
      const read = await client.readTranscript(conversationId);
      if (read.kind === 'ok') transcript = read.value;
      else notes.push(read.kind === 'notFound' ? 'transcript not visible yet (404)' : `transcript unreadable: ${read.reason}`);
    }
  }
  // Insights the webhooks delivered need no polling once they hold every labeled insight (an account
  // may have several insight groups, each with its own webhook); until then they are polled for.
  const fromWebhooks = row.webhookResults;
  const webhooksHaveAll =
    fromWebhooks !== null && fromWebhooks.length > 0 && Object.keys(rules.insights).every((id) => fromWebhooks.some((result) => result.insightId === id));
  const read = webhooksHaveAll
    ? ({ kind: 'ok', value: [{ id: 'webhook', status: 'completed', results: fromWebhooks }] } as const)
    : conversationId
      ? await client.readInsights(conversationId)
      : undefined;
  if (read) {
    if (read.kind === 'ok') {
      const runs = readInsightRuns(read.value, rules.insights);
      insights = runs.insights;
      insightsFinished = runs.finished;
      insightsPending = runs.finished ? 0 : runs.pending;
      if (!runs.finished) notes.push(`insights not finished (${runs.pending} pending)`);
    } else {
      notes.push(read.kind === 'notFound' ? 'insights not visible yet (404)' : `insights unreadable: ${read.reason}`);
    }
  }

  const goalMet = evaluateRule(rules.goal, insights);
  // Once opted out, always: a later read cannot take a number back off the list.
  const optOutVerdict = evaluateRule(rules.optOut, insights);
  const optedOut = row.optedOut === true ? true : optOutVerdict;
  let optedOutNow = false;
  if (rules.optOut && optOutVerdict === true && row.optedOut !== true) {
    const applied = await applyOptOut(app.pool, {
      list: rules.optOut.list,
      campaignId: row.campaignId,
      contactId: row.contactId,
      attemptId: row.attemptId,
      phone: row.phone,
    });
    optedOutNow = true;
    app.log.info(
      { attemptId: row.attemptId, list: rules.optOut.list, suppressedContacts: applied.suppressedContacts },
      'contact opted out: number put on the do-not-call list',
    );
  }

  const complete = conversationId !== null && (!rules.transcript || transcript !== null) && insightsFinished;
  const pastDeadline = Date.now() >= row.deadlineAt.getTime();
  const state = complete ? 'completed' : pastDeadline ? 'timed_out' : 'pending';
  const note = complete ? 'read' : state === 'timed_out' ? `timed out: ${notes.join('; ')}` : notes.join('; ');
  const gapMs = Math.min(options.maxGapMs ?? 60_000, options.firstGapMs * 2 ** Math.min(Math.max(0, row.checks - 1), 16));
  await saveConversationProgress(app.pool, row.attemptId, {
    conversationId,
    transcript,
    insights,
    insightsPending,
    goalMet,
    optedOut,
    note,
    state,
    // Never past the deadline by more than a gap: the timeout is then recorded on time.
    nextCheckMs: Math.max(0, Math.min(gapMs, row.deadlineAt.getTime() - Date.now() + 100)),
  });
  if (state === 'timed_out') app.log.warn({ attemptId: row.attemptId, note }, 'post-call work timed out: keeping what was read');
  return { state, optedOutNow };
}
