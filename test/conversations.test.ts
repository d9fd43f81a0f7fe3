import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { makeFeeder } from '../src/dialing/run-feeder.ts';
import { startPostCallWorker } from '../src/dialing/post-call-worker.ts';
import { checkConversations } from '../src/dialing/check-conversations.ts';
import { makeConversationReader } from '../src/dialing/call-record-reader.ts';
import { takeDueConversations } from '../src/conversations/conversation-rows.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { makeApp } from '../src/app.ts';
import { closeWorker } from '../src/jobs/queues.ts';
import { simulatedOutcomeInsightId, simulatedSummaryInsightId } from '../src/simulator/conversations.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { testConfig } from './support/test-env.ts';
import { testProcessEnv } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';
import { exportResults } from '../src/results/export-results.ts';
import { readContactDetail } from '../src/results/read-contact-detail.ts';
import { formatTranscript } from '../src/cli/commands/transcript.ts';
import { formatStatus } from '../src/cli/commands/status.ts';
import { makeServer } from '../src/http/server.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeSigningKeyPair, signCallback } from '../src/telnyx/signature.ts';
import type { ConversationOptions } from '../src/simulator/conversations.ts';
import { tallyMismatches } from './support/tallies.ts';

const run = promisify(execFile);

interface ConversationRow {
  attempt_id: string;
  contact_id: string;
  phone: string;
  variables: Record<string, string>;
  call_sid: string;
  state: string;
  conversation_id: string | null;
  transcript: { role: string; text: string; at: string }[] | null;
  insights: { id: string; label: string | null; status: string; raw: string | null; parsed: unknown }[];
  insights_pending: number;
  goal_met: boolean | null;
  opted_out: boolean | null;
  note: string | null;
}

const labels = { [simulatedOutcomeInsightId]: 'appointment', [simulatedSummaryInsightId]: 'summary' };

describe('post-call work: transcript, insights, goal and opt-out of each answered call', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const stacks: DialStack[] = [];
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => closeWorker(worker)));
  });
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()));
  });

  async function stack(simulatorOptions: SimulatorOptions): Promise<DialStack> {
    const started = await startDialStack(
      db,
      `${prefix}-${stacks.length}`,
      { rateLimit: false, ...simulatorOptions },
      { CONVERSATION_CHECK_SECONDS: '1', CALL_RECORD_READS_PER_SECOND: '200' },
    );
    stacks.push(started);
    return started;
  }

  async function setVariables(s: DialStack, contactIds: string[], variables: (index: number) => Record<string, string>): Promise<void> {
    for (const [index, id] of contactIds.entries())
      await s.app.pool.query(`UPDATE contact SET variables = variables || $2::jsonb WHERE id = $1`, [id, JSON.stringify(variables(index))]);
  }

  async function rows(s: DialStack, campaignId: string): Promise<ConversationRow[]> {
    const { rows: found } = await s.app.pool.query<ConversationRow>(
      `SELECT cc.*, c.phone, c.variables, a.call_sid FROM call_conversation cc
         JOIN contact c ON c.id = cc.contact_id JOIN call_attempt a ON a.id = cc.attempt_id
        WHERE cc.campaign_id = $1 ORDER BY c.phone`,
      [campaignId],
    );
    return found;
  }

  /** Dials every contact and runs the post-call worker until every conversation is finished. */
  async function dialAndSettle(s: DialStack, campaignId: string, count: number): Promise<ConversationRow[]> {
    workers.push(makeDialWorker(s.app, { concurrency: 10 }), await startPostCallWorker(s.app));
    const feeder = makeFeeder(s.app);
    feeder.start(100);
    try {
      await waitFor(async () => (await getCampaignStatus(s.app, campaignId)).done, { description: 'the campaign to be done', timeoutMs: 30_000 });
      return await waitFor(
        async () => {
          const found = await rows(s, campaignId);
          return found.length === count && found.every((row) => row.state !== 'pending') && found;
        },
        { description: 'every conversation to be finished', timeoutMs: 40_000, details: () => rows(s, campaignId) },
      );
    } finally {
      await feeder.stop();
    }
  }

  it(
    'reads every page of each transcript in spoken order and the insights that come late, labeled, with goal_met from the goal rule',
    { timeout: 90_000 },
    async () => {
      const s = await stack({
        outcomes: { completed: 1 },
        conversations: { messages: 25, maxPageSize: 10, visibilityDelayMs: 300, insightsDelayMs: 2500, rateLimitedRate: 0.1, serverErrorRate: 0.05 },
      });
      const { campaignId, contactIds } = await makeRunningCampaign(s.app, 6, {
        conversation: { insightsWaitSeconds: 60, insights: labels, goal: { insight: 'appointment', path: 'confirmed', equals: true } },
      });
      await setVariables(s, contactIds, (index) => ({ sim_confirmed: index % 2 === 0 ? 'yes' : 'no', appointment: `Tuesday ${9 + index}:00` }));
      const settled = await dialAndSettle(s, campaignId, 6);

      for (const row of settled) {
        const simulated = [...s.simulator.conversations.conversations.values()].find((conversation) => conversation.callSid === row.call_sid)!;
        expect(row).toMatchObject({ state: 'completed', conversation_id: simulated.id, insights_pending: 0, note: 'read' });
        expect(row.transcript!.map((message) => `${message.role}: ${message.text}`)).toEqual(
          simulated.messages.map((message) => `${message.role}: ${message.text}`),
        );
        expect(row.transcript).toHaveLength(25);
        expect(row.transcript!.some((message) => message.text.includes(row.variables.appointment!))).toBe(true);
        const confirmed = row.variables.sim_confirmed === 'yes';
        expect(row.insights).toEqual([
          { id: simulatedOutcomeInsightId, label: 'appointment', status: 'completed', raw: JSON.stringify(simulated.outcome), parsed: simulated.outcome },
          { id: simulatedSummaryInsightId, label: 'summary', status: 'completed', raw: expect.any(String), parsed: null },
        ]);
        expect(row.goal_met).toBe(confirmed);
        expect(row.opted_out).toBeNull();
      }
      // Three pages each (10 + 10 + 5), and the insights were read before they were done (they came late).
      const pageReads = s.simulator.conversations.requests.filter((request) => request.url.includes('/messages') && request.status === 200);
      expect(new Set(pageReads.map((request) => new URL(request.url, 'http://x').searchParams.get('page[number]')))).toEqual(new Set(['1', '2', '3']));
      expect(pageReads.length).toBeGreaterThanOrEqual(18);
      const insightReads = s.simulator.conversations.requests.filter((request) => request.url.endsWith('/conversations-insights') && request.status === 200);
      expect(insightReads.length).toBeGreaterThan(6);
    },
  );

  it('keeps failed insights as failed (goal unknown), and times out insights that never come, keeping the transcript', { timeout: 90_000 }, async () => {
    const s = await stack({ outcomes: { completed: 1 }, conversations: { messages: 8, insightsDelayMs: 100 } });
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 2, {
      conversation: { insightsWaitSeconds: 4, insights: labels, goal: { insight: 'appointment', path: 'confirmed', equals: true } },
    });
    await setVariables(s, contactIds, (index) => ({ sim_insights: index === 0 ? 'fail' : 'never' }));
    const [failed, never] = await dialAndSettle(s, campaignId, 2);
    expect(failed).toMatchObject({ state: 'completed', insights_pending: 0, goal_met: null });
    expect(failed!.insights.map((insight) => [insight.label, insight.status])).toEqual([
      ['appointment', 'failed'],
      ['summary', 'failed'],
    ]);
    expect(failed!.transcript).toHaveLength(8);
    expect(never).toMatchObject({ state: 'timed_out', insights_pending: 2, goal_met: null, insights: [] });
    expect(never!.note).toMatch(/^timed out: insights not finished \(2 pending\)/);
    expect(never!.transcript).toHaveLength(8);
  });

  it('times out a conversation that never becomes visible, and reads none for voicemails or unanswered calls', { timeout: 90_000 }, async () => {
    const s = await stack({ outcomes: { completed: 1 }, conversations: { visibilityDelayMs: 3_600_000 } });
    const { campaignId } = await makeRunningCampaign(s.app, 1, { conversation: { insightsWaitSeconds: 3, transcript: false } });
    const [row] = await dialAndSettle(s, campaignId, 1);
    // Named by the conversation callback, but never readable.
    const simulated = [...s.simulator.conversations.conversations.values()][0]!;
    expect(row).toMatchObject({ state: 'timed_out', conversation_id: simulated.id, transcript: null, goal_met: null, insights_pending: 1 });
    expect(row!.note).toBe('timed out: insights not visible yet (404)');

    const s2 = await stack({ outcomes: { voicemail: 1, 'no-answer': 1 } });
    const other = await makeRunningCampaign(s2.app, 6, { machineDetection: 'Enable', conversation: {} });
    workers.push(makeDialWorker(s2.app, { concurrency: 10 }));
    const feeder = makeFeeder(s2.app);
    feeder.start(100);
    await waitFor(async () => (await getCampaignStatus(s2.app, other.campaignId)).done, { description: 'the campaign to be done', timeoutMs: 30_000 });
    await feeder.stop();
    await checkConversations(s2.app, makeConversationReader(s2.app)!, { firstGapMs: 100 });
    expect(await rows(s2, other.campaignId)).toEqual([]);
  });

  it('an opt-out puts the number on the chosen list at once, with where it came from, and cancels its pending retries', { timeout: 90_000 }, async () => {
    const s = await stack({ outcomes: { completed: 1 }, conversations: { messages: 6, insightsDelayMs: 50 } });
    const { campaignId, contactIds, phones } = await makeRunningCampaign(s.app, 2, {
      conversation: { insights: labels, optOut: { insight: 'appointment', path: 'opt_out', equals: true, list: 'global' } },
    });
    await setVariables(s, contactIds, (index) => ({ sim_opt_out: index === 0 ? 'yes' : 'no' }));
    // Another campaign has the same numbers, one waiting for a retry and one never dialed: the global list stops both.
    const other = await makeRunningCampaign(s.app, 0, {}, 'draft');
    const { rows: waiting } = await s.app.pool.query<{ id: string }>(
      `INSERT INTO contact (campaign_id, phone, state, attempt_count, next_attempt_at) VALUES
         ($1, $2, 'pending', 1, now() + interval '1 hour'), ($1, $3, 'pending', 0, NULL) RETURNING id`,
      [other.campaignId, phones[0], phones[1]],
    );
    const [optedOut, stayed] = await dialAndSettle(s, campaignId, 2);
    expect(optedOut).toMatchObject({ state: 'completed', opted_out: true });
    expect(stayed).toMatchObject({ state: 'completed', opted_out: false });
    const { rows: listed } = await s.app.pool.query(`SELECT phone, scope, campaign_id, source FROM do_not_call ORDER BY phone`);
    expect(listed).toEqual([
      {
        phone: phones[0],
        scope: 'global',
        campaign_id: null,
        source: `opt-out in call: campaign ${campaignId}, contact ${contactIds[0]}, attempt ${optedOut!.attempt_id}`,
      },
    ]);
    const { rows: states } = await s.app.pool.query<{ id: string; state: string; next_attempt_at: Date | null }>(
      `SELECT id, state, next_attempt_at FROM contact WHERE campaign_id = $1 ORDER BY phone`,
      [other.campaignId],
    );
    expect(states).toEqual([
      { id: waiting[0]!.id, state: 'suppressed', next_attempt_at: null },
      { id: waiting[1]!.id, state: 'pending', next_attempt_at: null },
    ]);
  });

  it('a process that dies in the middle of its reads leaves them to the next one, which finishes them once', { timeout: 90_000 }, async () => {
    const s = await stack({ outcomes: { completed: 1 }, conversations: { messages: 25, maxPageSize: 5, insightsDelayMs: 1500 } });
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 4, {
      conversation: { insights: labels, optOut: { insight: 'appointment', path: 'opt_out', equals: true } },
    });
    await setVariables(s, contactIds, () => ({ sim_opt_out: 'yes' }));
    workers.push(makeDialWorker(s.app, { concurrency: 10 }));
    const feeder = makeFeeder(s.app);
    feeder.start(100);
    await waitFor(async () => (await getCampaignStatus(s.app, campaignId)).done, { description: 'the campaign to be done', timeoutMs: 30_000 });
    await feeder.stop();

    // No conversation callback named the conversations (as when the receiver was down): found by call id.
    await s.app.pool.query(`UPDATE call_attempt SET conversation_id = NULL WHERE campaign_id = $1`, [campaignId]);

    // The insights are still running (however long the campaign took on a loaded machine) until the
    // second process starts.
    const simulated = [...s.simulator.conversations.conversations.values()];
    for (const conversation of simulated) conversation.insightsFate = 'never';

    // First process: one pass reads transcripts while the insights still run; then it takes the rows
    // again (their lease) and dies before reading anything.
    const first = makeApp(
      testConfig({
        DATABASE_URL: db.url,
        QUEUE_PREFIX: `${prefix}-restart`,
        LOG_LEVEL: 'silent',
        TELNYX_API_BASE_URL: s.simulator.baseUrl,
        TELNYX_API_KEY: s.simulator.apiKey,
        CALL_RECORD_READS_PER_SECOND: '200',
      }),
    );
    const pass = await checkConversations(first, makeConversationReader(first)!, { firstGapMs: 1 });
    expect(pass).toMatchObject({ enrolled: 4, checked: 4, completed: 0 });
    const half = await rows(s, campaignId);
    expect(half.every((row) => row.state === 'pending' && row.transcript?.length === 25 && row.insights_pending === 2)).toBe(true);
    await waitFor(async () => (await takeDueConversations(first.pool, 1500, 100)).length === 4, { description: 'the dying process to lease all four' });
    await first.close();

    for (const conversation of simulated) conversation.insightsFate = 'complete';
    // The next process: the leased rows are due again once the lease ends, and finish.
    const second = makeApp(
      testConfig({
        DATABASE_URL: db.url,
        QUEUE_PREFIX: `${prefix}-restart`,
        LOG_LEVEL: 'silent',
        TELNYX_API_BASE_URL: s.simulator.baseUrl,
        TELNYX_API_KEY: s.simulator.apiKey,
        CALL_RECORD_READS_PER_SECOND: '200',
      }),
    );
    try {
      const reader = makeConversationReader(second)!;
      const done = await waitFor(
        async () => {
          await checkConversations(second, reader, { firstGapMs: 200 });
          const found = await rows(s, campaignId);
          return found.every((row) => row.state === 'completed') && found;
        },
        { description: 'the second process to finish every conversation', timeoutMs: 30_000, details: () => rows(s, campaignId) },
      );
      const byCall = new Map([...s.simulator.conversations.conversations.values()].map((conversation) => [conversation.callSid, conversation.id]));
      expect(done.map((row) => row.conversation_id)).toEqual(done.map((row) => byCall.get(row.call_sid)));
      expect(s.simulator.conversations.requests.filter((request) => request.url.includes('metadata-%3Ecall_control_id=eq.')).length).toBe(4);
      expect(done.map((row) => [row.transcript?.length, row.opted_out])).toEqual([
        [25, true],
        [25, true],
        [25, true],
        [25, true],
      ]);
      // Each transcript was read once (5 pages), not again after the restart.
      const pageReads = s.simulator.conversations.requests.filter((request) => request.url.includes('/messages'));
      expect(pageReads.length).toBe(4 * 5);
      const { rows: listed } = await s.app.pool.query(`SELECT count(*)::int AS count FROM do_not_call WHERE scope = $1`, [campaignId]);
      expect(listed).toEqual([{ count: 4 }]);
    } finally {
      await second.close();
    }
  });

  it('results show what each call achieved: the view, CSV and JSON exports, status, the API and `dialer transcript`', { timeout: 120_000 }, async () => {
    const s = await stack({ outcomes: { completed: 1 }, conversations: { messages: 5, insightsDelayMs: 50 } });
    const { campaignId, contactIds, phones } = await makeRunningCampaign(s.app, 3, {
      conversation: {
        insights: labels,
        goal: { insight: 'appointment', path: 'confirmed', equals: true },
        optOut: { insight: 'appointment', path: 'opt_out', equals: true },
      },
    });
    await setVariables(
      s,
      contactIds,
      (index) => ([{ sim_confirmed: 'yes' }, { sim_confirmed: 'no' }, { sim_opt_out: 'yes' }] as Record<string, string>[])[index]!,
    );
    await dialAndSettle(s, campaignId, 3);

    const { rows: view } = await s.app.pool.query(
      `SELECT phone, conversation_state, goal_met, opted_out, insights_pending, jsonb_array_length(transcript) AS messages, insight_results
           FROM contact_result WHERE campaign_id = $1 ORDER BY phone`,
      [campaignId],
    );
    expect(
      view.map(({ insight_results, ...rest }) => ({ ...rest, appointment: insight_results.appointment, summary: typeof insight_results.summary })),
    ).toEqual([
      {
        phone: phones[0],
        conversation_state: 'completed',
        goal_met: true,
        opted_out: false,
        insights_pending: 0,
        messages: 5,
        appointment: { confirmed: true, opt_out: false, callback_requested: false },
        summary: 'string',
      },
      {
        phone: phones[1],
        conversation_state: 'completed',
        goal_met: false,
        opted_out: false,
        insights_pending: 0,
        messages: 5,
        appointment: { confirmed: false, opt_out: false, callback_requested: true },
        summary: 'string',
      },
      {
        phone: phones[2],
        conversation_state: 'completed',
        goal_met: false,
        opted_out: true,
        insights_pending: 0,
        messages: 5,
        appointment: { confirmed: false, opt_out: true, callback_requested: false },
        summary: 'string',
      },
    ]);

    let csv = '';
    for await (const chunk of exportResults(s.app.pool, campaignId, 'csv')) csv += chunk;
    const [header, first] = csv.split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(columns.indexOf('analyzed_at') + 1, columns.indexOf('contact_id') + 1)).toEqual([
      'conversation_state',
      'goal_met',
      'opted_out',
      'insights_pending',
      'appointment',
      'summary',
      'transcript',
      'source_row',
      'contact_id',
    ]);
    expect(first).toContain('completed,true,false,0,"{""confirmed"":true,""opt_out"":false,""callback_requested"":false}",');
    expect(first).toMatch(/"assistant: Hello P1, [^"]*\nuser: Hi, yes, this is P1\.\n/);

    let text = '';
    for await (const chunk of exportResults(s.app.pool, campaignId, 'json')) text += chunk;
    const json = JSON.parse(text);
    expect(json[2]).toMatchObject({ goal_met: false, opted_out: true, insight_results: { appointment: { opt_out: true } } });
    expect(json[2].transcript).toHaveLength(5);
    expect(json[2].insights.map((insight: { label: string }) => insight.label)).toEqual(['appointment', 'summary']);

    const status = await getCampaignStatus(s.app, campaignId);
    expect(status.conversations).toEqual({ read: 3, timedOut: 0, pending: 0, insightsPending: 0, goalMet: 1, withGoalResult: 3, goalRate: 0.333, optedOut: 1 });
    expect(formatStatus(status)).toContain('conversations: goal met 1 of 3 (33.3 %), 1 opted out; 3 read');

    const detail = await readContactDetail(s.app.pool, campaignId, phones[2]!);
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ attempt_number: 1, conversation_state: 'completed', opted_out: true });
    const printed = formatTranscript(detail);
    expect(printed).toContain('goal met: no; opted out: yes; insights pending: 0');
    expect(printed).toMatch(
      /insights:\n  appointment: \{"confirmed":false,"opt_out":true,"callback_requested":false\}\n  summary: The contact asked not to be called again\./,
    );
    expect(printed).toMatch(/transcript \(5 messages\):\nassistant: Hello P3, .*\n(.*\n){3}user: Yes\. Please never call me again\.$/);

    const token = 'test-token-0123456789';
    const api = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: `${prefix}-api`, API_TOKEN: token, LOG_LEVEL: 'silent' }));
    const server = await makeServer(api);
    try {
      const auth = { authorization: `Bearer ${token}` };
      const byId = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/contacts/${contactIds[0]}`, headers: auth });
      expect(byId.statusCode).toBe(200);
      expect(byId.json().result).toMatchObject({ phone: phones[0], goal_met: true });
      expect(byId.json().attempts[0].transcript).toHaveLength(5);
      expect(byId.json().attempts[0].insights).toHaveLength(2);
      const byPhone = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/contacts/${encodeURIComponent(phones[1]!)}`, headers: auth });
      expect(byPhone.json().result.contact_id).toBe(contactIds[1]);
      const missing = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/contacts/%2B15550001111`, headers: auth });
      expect(missing.statusCode).toBe(404);
      const statusReply = await server.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/status`, headers: auth });
      expect(statusReply.json().conversations).toMatchObject({ goalRate: 0.333, insightsPending: 0 });
    } finally {
      await server.close();
      await api.close();
    }

    const env = testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const cli = await run('node', ['src/cli/bin.mjs', 'transcript', phones[0]!, '--campaign', campaignId], { env });
    expect(cli.stdout).toContain('goal met: yes; opted out: no');
    expect(cli.stdout).toContain('user: Yes, I confirm. See you then.');
  });

  it('gives way to dialing: while busy one read is in flight at a time, else up to 8; the work finishes either way', { timeout: 90_000 }, async () => {
    // Each conversation GET takes 40 ms at the simulator, so reads that overlap show there.
    const s = await stack({ outcomes: { completed: 1 }, conversations: { messages: 5, insightsDelayMs: 0, latencyMs: 40 } });
    const reader = makeConversationReader(s.app)!;
    workers.push(makeDialWorker(s.app, { concurrency: 10 }));
    const feeder = makeFeeder(s.app);
    feeder.start(100);
    // Dials a campaign of 12, then runs post-call passes until each of its conversations is read.
    const dialThenRead = async (busy: (() => boolean) | undefined) => {
      const { campaignId } = await makeRunningCampaign(s.app, 12, { conversation: { insights: labels } });
      await waitFor(async () => (await getCampaignStatus(s.app, campaignId)).done, { description: 'the campaign to be done', timeoutMs: 30_000 });
      const from = s.simulator.conversations.requests.length;
      const read = await waitFor(
        async () => {
          await checkConversations(s.app, reader, { firstGapMs: 100, busy, busyGapMs: 20 });
          const found = await rows(s, campaignId);
          return found.length === 12 && found.every((row) => row.state === 'completed') && found;
        },
        { description: 'every conversation to be read', timeoutMs: 30_000, details: () => rows(s, campaignId) },
      );
      const requests = s.simulator.conversations.requests.slice(from);
      const inFlightAt = (at: number) => requests.filter((other) => other.at <= at && (other.answeredAt === 0 || other.answeredAt > at)).length;
      return { read, mostInFlight: Math.max(...requests.map((request) => inFlightAt(request.at))) };
    };
    try {
      const busy = await dialThenRead(() => true);
      expect(busy.read.every((row) => row.transcript?.length === 5 && row.insights.length === 2)).toBe(true);
      expect(busy.mostInFlight).toBe(1);
      const free = await dialThenRead(undefined);
      expect(free.read.every((row) => row.transcript?.length === 5 && row.insights.length === 2)).toBe(true);
      expect(free.mostInFlight).toBeGreaterThanOrEqual(4);
      expect(free.mostInFlight).toBeLessThanOrEqual(8);
    } finally {
      await feeder.stop();
    }
  });

  it('takes insights from the signed call.conversation_insights.generated webhook, matched by call_control_id', { timeout: 90_000 }, async () => {
    const signingKey = makeSigningKeyPair();
    // The receiver's address is known once the stack runs: the webhook URL is set then (read at each dial).
    const conversations: ConversationOptions = { messages: 6, insightsDelayMs: 300 };
    const s = await stack({ outcomes: { completed: 1 }, signingKey, conversations });
    conversations.insightsWebhookUrl = `${s.app.config.PUBLIC_BASE_URL}/callbacks/insights`;
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 3, {
      conversation: { insights: labels, goal: { insight: 'appointment', path: 'confirmed', equals: true } },
    });
    await setVariables(s, contactIds, () => ({ sim_confirmed: 'yes' }));
    const settled = await dialAndSettle(s, campaignId, 3);
    const webhooks = s.simulator.deliveries.filter((delivery) => delivery.kind === 'insights');
    expect(webhooks.map((delivery) => delivery.responseStatus)).toEqual([200, 200, 200]);
    const { rows: stored } = await s.app.pool.query<{ webhook_results: { results: unknown[]; payload: { data: { payload: { call_control_id: string } } } } }>(
      `SELECT webhook_results FROM call_conversation WHERE campaign_id = $1 ORDER BY attempt_id`,
      [campaignId],
    );
    expect(stored.every((row) => row.webhook_results.results.length === 2)).toBe(true);
    expect(new Set(stored.map((row) => row.webhook_results.payload.data.payload.call_control_id))).toEqual(new Set(settled.map((row) => row.call_sid)));
    expect(settled.every((row) => row.state === 'completed' && row.goal_met === true && row.insights.length === 2)).toBe(true);

    const url = '/callbacks/insights';
    const body = (callSid: string) =>
      JSON.stringify({
        data: {
          event_type: 'call.conversation_insights.generated',
          id: 'e1',
          occurred_at: new Date().toISOString(),
          payload: { call_control_id: callSid, results: [] },
        },
      });
    const post = (text: string, headers: Record<string, string>) =>
      s.receiver.inject({ method: 'POST', url, payload: text, headers: { 'content-type': 'application/json', ...headers } });
    const now = () => Date.now() / 1000;
    expect((await post(body(settled[0]!.call_sid), {})).statusCode).toBe(401);
    expect((await post(body(settled[0]!.call_sid), signCallback(makeSigningKeyPair().privateKey, body(settled[0]!.call_sid), now()))).statusCode).toBe(403);
    const unknown = await post(body('v3:not-ours'), signCallback(signingKey.privateKey, body('v3:not-ours'), now()));
    expect(unknown.statusCode).toBe(404);
    const notAnEvent = '{"data":{"event_type":"call.hangup"}}';
    expect((await post(notAnEvent, signCallback(signingKey.privateKey, notAnEvent, now()))).statusCode).toBe(400);
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
