// Post-call work: what answered calls achieved (transcript, insights) read for a backlog of N answered
// calls (default 10,000, 25 messages and 2 insights each) by a real `dialer worker` child process,
// while the same process dials a campaign at R calls/s against the simulator; then the same campaign
// dialed with no post-call work at all (the anchor). Reports conversations read per second and the
// dial rate with and without; the dial rate with must be within 5 % of the rate without. Reads are
// paced by CALL_RECORD_READS_PER_SECOND (--reads): that budget, not the worker, bounds the throughput.
// Usage: npx tsx bench/post-call.ts [--conversations 10000] [--messages 25] [--rate 30] [--contacts 1500] [--reads 400]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { Redis } from 'ioredis';
import { makeApp, type App } from '../src/app.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { simulatedOutcomeInsightId, simulatedSummaryInsightId } from '../src/simulator/conversations.ts';
import { findFreePort, isListening, round, stopChild, waitFor, zoneWhereItIsAfternoon } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '25' },
    rate: { type: 'string', default: '30' },
    contacts: { type: 'string', default: '1500' },
    reads: { type: 'string', default: '400' },
  },
});
const conversationCount = Number(values.conversations);
const messages = Number(values.messages);
const rate = Number(values.rate);
const contacts = Number(values.contacts);
const reads = Number(values.reads);

interface RunResult {
  postCall: boolean;
  dials: number;
  achievedDialsPerSecond: number;
  dialSeconds: number;
  conversations: number;
  conversationsRead: number;
  conversationsPerSecond: number | null;
  conversationSeconds: number | null;
  /** Conversations finished between the campaign's start and its last dial, per second. */
  conversationsPerSecondWhileDialing: number | null;
  readsPerConversation: number | null;
}

const without = await runOnce(false);
const withPostCall = await runOnce(true);
const dialRatio = withPostCall.achievedDialsPerSecond / without.achievedDialsPerSecond;
const pass = dialRatio >= 0.95 && withPostCall.conversationsRead === conversationCount;
for (const result of [without, withPostCall]) console.log(JSON.stringify(result));
console.log(
  `\ndial rate without post-call work ${without.achievedDialsPerSecond}/s, with ${withPostCall.achievedDialsPerSecond}/s (ratio ${round(dialRatio, 3)}); ` +
    `${withPostCall.conversationsRead}/${conversationCount} conversations read (${messages} messages, 2 insights) in ${withPostCall.conversationSeconds} s = ` +
    `${withPostCall.conversationsPerSecond}/s at ${reads} reads/s (${withPostCall.readsPerConversation} reads each; ` +
    `${withPostCall.conversationsPerSecondWhileDialing}/s while dialing): ${pass ? 'PASS' : 'FAIL'}`,
);
process.exitCode = pass ? 0 : 1;

async function runOnce(postCall: boolean): Promise<RunResult> {
  const schema = `bench_post_call_${randomBytes(4).toString('hex')}`;
  const databaseUrl = `postgresql://postgres@127.0.0.1:5432/dialer_bench?schema=${schema}`;
  const prefix = `bench-${schema}`;
  await migrate(makeDatabaseTarget(databaseUrl));
  const simulator = await startSimulator({
    rateLimit: false,
    callbackDelayMs: 5,
    callDurationMs: 20,
    delivery: { concurrency: 512 },
    conversations: { messages, insightsDelayMs: 0 },
  });
  const port = await findFreePort();
  const env = {
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: prefix,
    TELNYX_API_BASE_URL: simulator.baseUrl,
    TELNYX_API_KEY: simulator.apiKey,
    TELNYX_PUBLIC_KEY: simulator.publicKey,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    CALL_RECORD_READS_PER_SECOND: String(reads),
    CONVERSATION_CHECK_SECONDS: '1',
    LOG_LEVEL: 'error',
  };
  const app = makeApp(parseConfig(env));
  const children: ChildProcess[] = [];
  try {
    const campaignId = await seedDialCampaign(app);
    const backlog = postCall ? await seedAnsweredCalls(app, simulator) : 0;
    const requestsBefore = simulator.conversations.requests.length;
    const server = spawnDialer(['serve'], env);
    children.push(server);
    await waitFor(() => isListening(port), 'the receiver to listen', 60_000);
    const dialsBefore = simulator.calls.length;
    const startedAt = Date.now();
    children.push(spawnDialer(['worker', '--concurrency', '100'], env));
    await startCampaign(app, campaignId);

    await waitFor(async () => simulator.calls.length - dialsBefore >= contacts, `${contacts} dials`, 600_000);
    const dialTimes = simulator.calls
      .slice(dialsBefore)
      .map((call) => call.at)
      .sort((a, b) => a - b);
    const dialSeconds = (dialTimes.at(-1)! - dialTimes[0]!) / 1000;
    let conversationSeconds: number | null = null;
    let whileDialing: number | null = null;
    if (postCall) {
      await waitFor(async () => (await finishedConversations(app)) >= backlog, `${backlog} conversations read`, 900_000).catch((error: unknown) =>
        console.error(error instanceof Error ? error.message : error),
      );
      const { rows } = await app.pool.query<{ last: Date }>(`SELECT max(finished_at) AT TIME ZONE 'UTC' AS last FROM call_conversation`);
      conversationSeconds = round((rows[0]!.last.getTime() - startedAt) / 1000, 1);
      const { rows: early } = await app.pool.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM call_conversation WHERE finished_at <= $1::timestamptz AT TIME ZONE 'UTC'`,
        [new Date(dialTimes.at(-1)!)],
      );
      whileDialing = round(early[0]!.count / ((dialTimes.at(-1)! - startedAt) / 1000), 1);
    }
    const read = postCall ? await finishedConversations(app) : 0;
    return {
      postCall,
      dials: simulator.calls.length - dialsBefore,
      achievedDialsPerSecond: round((dialTimes.length - 1) / dialSeconds, 2),
      dialSeconds: round(dialSeconds, 1),
      conversations: backlog,
      conversationsRead: read,
      conversationsPerSecond: conversationSeconds ? round(read / conversationSeconds, 1) : null,
      conversationSeconds,
      conversationsPerSecondWhileDialing: whileDialing,
      readsPerConversation: read ? round((simulator.conversations.requests.length - requestsBefore) / read, 2) : null,
    };
  } finally {
    await Promise.all(children.map(stopChild));
    await simulator.close();
    await app.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await deleteKeys(app.config.REDIS_URL, prefix);
    await app.close();
  }
}

/** Conversations the post-call work finished (read, or timed out: none should). */
async function finishedConversations(app: App): Promise<number> {
  const { rows } = await app.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM call_conversation WHERE state <> 'pending'`);
  return rows[0]!.count;
}

/** The campaign dialed during the run: no conversation block, so its own calls add no post-call work. */
async function seedDialCampaign(app: App): Promise<string> {
  const created = await createCampaign(app, {
    name: `post-call bench dials ${Date.now()}`,
    connectionId: 'conn-bench',
    assistantId: 'assistant-bench',
    from: '+13125550100',
    callsPerSecond: rate,
    maxConcurrentCalls: 100_000,
    callingWindow: { start: '08:00', end: '21:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
  });
  await app.pool.query(
    `INSERT INTO contact (campaign_id, phone, variables, timezone)
     SELECT $1, '+1312' || lpad((2000000 + n)::text, 7, '0'), jsonb_build_object('first_name', 'P' || n), $3
     FROM generate_series(1, $2) AS n`,
    [created.id, contacts, zoneWhereItIsAfternoon()],
  );
  return created.id;
}

/**
 * `conversationCount` calls answered by a person and ended, as a finished campaign leaves them: each
 * placed on the simulator (so it holds the conversation) and recorded in Postgres as a completed attempt
 * with its call_sid and conversation id (as the conversation callback gives it).
 */
async function seedAnsweredCalls(app: App, simulator: Simulator): Promise<number> {
  const created = await createCampaign(app, {
    name: `post-call bench backlog ${Date.now()}`,
    connectionId: 'conn-bench',
    assistantId: 'assistant-bench',
    from: '+13125550199',
    callsPerSecond: 1,
    maxConcurrentCalls: 1,
    conversation: {
      insightsWaitSeconds: 3600,
      insights: { [simulatedOutcomeInsightId]: 'appointment', [simulatedSummaryInsightId]: 'summary' },
      goal: { insight: 'appointment', path: 'confirmed', equals: true },
    },
  });
  const phones = Array.from({ length: conversationCount }, (_, index) => `+1415${String(2_000_000 + index).padStart(7, '0')}`);
  const limit = pLimit(64);
  const callSids = await Promise.all(
    phones.map((phone, index) =>
      limit(async () => {
        const response = await fetch(`${simulator.baseUrl}/texml/ai_calls/conn-bench`, {
          method: 'POST',
          headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            From: '+13125550199',
            To: phone,
            AIAssistantId: 'assistant-bench',
            AIAssistantDynamicVariables: { first_name: `P${index}`, appointment_time: 'Tuesday 10:00', location: 'Midtown clinic' },
          }),
        });
        return ((await response.json()) as { call_sid: string }).call_sid;
      }),
    ),
  );
  const conversationOf = new Map([...simulator.conversations.conversations.values()].map((conversation) => [conversation.callSid, conversation.id]));
  await app.pool.query(`UPDATE campaign SET status = 'completed', started_at = now(), completed_at = now() WHERE id = $1`, [created.id]);
  await app.pool.query(
    `WITH contacts AS (
       INSERT INTO contact (campaign_id, phone, state, outcome, attempt_count)
       SELECT $1, phone, 'completed', 'completed', 1 FROM unnest($2::text[]) AS phone
       RETURNING id, phone
     )
     INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid, conversation_id, answered_by, answered_at, ended_at, slot_released_at)
     SELECT c.id, $1, 1, 'completed', t.call_sid, t.conversation_id, 'human',
            (now() AT TIME ZONE 'UTC') - interval '40 seconds', (now() AT TIME ZONE 'UTC') - interval '5 seconds', (now() AT TIME ZONE 'UTC')
       FROM contacts c JOIN unnest($2::text[], $3::text[], $4::text[]) AS t(phone, call_sid, conversation_id) ON t.phone = c.phone`,
    [created.id, phones, callSids, callSids.map((callSid) => conversationOf.get(callSid) ?? null)],
  );
  return conversationCount;
}

function spawnDialer(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['src/cli/bin.mjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`dialer ${args[0]} exited early: code ${code} signal ${signal}`);
  });
  return child;
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
  await redis.quit();
}
