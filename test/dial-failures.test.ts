import { afterEach, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { feedCampaign } from '../src/dialing/feed-campaign.ts';
import { reconcileAttempts } from '../src/attempts/reconcile-attempts.ts';
import { consecutiveRejectionsToPause } from '../src/attempts/record-rejected.ts';
import { makeDialContact } from '../src/dialing/dial-contact.ts';
import { makeDialRateLimiter } from '../src/dialing/dial-rate-limiter.ts';
import { makeTelnyxClient } from '../src/telnyx/client.ts';
import type { SimulatorOptions } from '../src/simulator/simulator-options.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';

describe('dial failure policies (against the simulator)', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let stack: DialStack | undefined;
  let worker: Worker | undefined;

  afterEach(async () => {
    await worker?.close();
    await stack?.close();
    worker = stack = undefined;
  });

  async function run(simulator: SimulatorOptions, env: Record<string, string> = {}, withWorker = true) {
    stack = await startDialStack(db, `${prefix}-${Math.random().toString(36).slice(2, 8)}`, simulator, env);
    if (withWorker) worker = makeDialWorker(stack.app, { concurrency: 4 });
    return stack;
  }
  const campaignRow = async (id: string) => (await db.pool.query(`SELECT * FROM campaign WHERE id = $1`, [id])).rows[0];
  const contactRows = async (id: string) => (await db.pool.query(`SELECT * FROM contact WHERE campaign_id = $1 ORDER BY phone`, [id])).rows;
  const attemptRows = async (id: string) => (await db.pool.query(`SELECT * FROM call_attempt WHERE campaign_id = $1`, [id])).rows;
  const statusWhen = (s: DialStack, id: string, ready: (status: Awaited<ReturnType<typeof getCampaignStatus>>) => boolean) =>
    waitFor(
      async () => {
        const status = await getCampaignStatus(s.app, id);
        return ready(status) ? status : undefined;
      },
      { description: `the campaign status to satisfy ${ready}`, timeoutMs: 25_000, details: () => getCampaignStatus(s.app, id) },
    );

  it('401/403/404 pauses the campaign with the reason and burns no contact', async () => {
    const s = await run({ connectionIds: ['some-other-connection'] });
    const { campaignId } = await makeRunningCampaign(s.app, 3);
    await feedCampaign(s.app, campaignId);
    const status = await statusWhen(s, campaignId, (st) => st.status === 'paused' && st.contacts.pending === 3);
    expect(status.pauseReason).toMatch(/HTTP 404 code 10005/);
    expect(status.callsInProgress).toBe(0);
    expect(await attemptRows(campaignId)).toEqual([]);
    for (const contact of await contactRows(campaignId)) expect(contact.attempt_count).toBe(0);
    expect(s.simulator.calls).toHaveLength(0);
  });

  it('422 fails that contact with the detail; the same error on consecutive contacts pauses the campaign', async () => {
    const s = await run({});
    const { campaignId } = await makeRunningCampaign(s.app, 0);
    // Numbers Telnyx refuses (not E.164); the time zone column makes them callable for our window check.
    const zone = (await db.pool.query(`SELECT timezone FROM contact LIMIT 1`)).rows[0]?.timezone ?? 'Etc/UTC';
    await db.pool.query(`INSERT INTO contact (campaign_id, phone, timezone) SELECT $1, '+0' || n, $2 FROM generate_series(100001, 100000 + $3) n`, [
      campaignId,
      zone,
      consecutiveRejectionsToPause + 2,
    ]);
    await feedCampaign(s.app, campaignId);
    const status = await statusWhen(
      s,
      campaignId,
      (st) => st.status === 'paused' && st.contacts.failed >= consecutiveRejectionsToPause && st.contacts.dialing === 0,
    );
    expect(status.pauseReason).toMatch(new RegExp(`${consecutiveRejectionsToPause} consecutive contacts with error 10016`));
    expect(status.callsInProgress).toBe(0);
    const rejected = (await attemptRows(campaignId)).filter((attempt) => attempt.state === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(consecutiveRejectionsToPause);
    expect(rejected[0].error_code).toBe('10016');
    expect(rejected[0].error_detail).toMatch(/E\.164/);
    expect(rejected.every((attempt) => attempt.slot_released_at !== null)).toBe(true);
    const failed = (await contactRows(campaignId)).filter((contact) => contact.state === 'failed');
    expect(failed.every((contact) => contact.outcome === 'rejected')).toBe(true);
  });

  it('429 slows down: the contact is dialed later, exactly once, and no attempt is counted', async () => {
    const s = await run({ rateLimit: { perSecond: 2, windowSeconds: 1 }, sendRetryAfter: true }, { ACCOUNT_CALLS_PER_SECOND: '100' });
    const { campaignId, phones } = await makeRunningCampaign(s.app, 8, { callsPerSecond: 100 });
    await feedCampaign(s.app, campaignId);
    const status = await statusWhen(s, campaignId, (st) => st.done);
    expect(status.contacts.completed).toBe(8);
    expect(s.simulator.requests.some((request) => request.status === 429)).toBe(true);
    expect(s.simulator.calls.map((call) => call.to).sort()).toEqual([...phones].sort());
    const attempts = await attemptRows(campaignId);
    expect(attempts).toHaveLength(8);
    expect(attempts.every((attempt) => attempt.attempt_number === 1)).toBe(true);
    expect((await campaignRow(campaignId)).active_calls).toBe(0);
  });

  it('a timeout after sending is not redialed: the attempt is unknown until its callbacks resolve it', async () => {
    const s = await run({ faults: { timeout_after_placing: 1 } }, { DIAL_REQUEST_TIMEOUT_MS: '1000' });
    const { campaignId, phones } = await makeRunningCampaign(s.app, 2, { retry: { maxAttempts: 3, retryOn: ['failed', 'no_answer'], delaySeconds: 60 } });
    await feedCampaign(s.app, campaignId);
    const status = await statusWhen(s, campaignId, (st) => st.done);
    expect(status.contacts.completed).toBe(2);
    expect(s.simulator.calls.map((call) => call.to).sort()).toEqual([...phones].sort());
    const attempts = await attemptRows(campaignId);
    expect(attempts.map((attempt) => attempt.state)).toEqual(['completed', 'completed']);
    expect(attempts.every((attempt) => attempt.call_sid !== null)).toBe(true);
  });

  it('a 5xx with no callback becomes failed_unknown after the grace period; only then may the retry policy act', async () => {
    const s = await run({ faults: { server_error: 1 } });
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 1, { retry: { maxAttempts: 2, retryOn: ['failed'], delaySeconds: 60 } });
    await feedCampaign(s.app, campaignId);
    const waiting = await statusWhen(s, campaignId, (st) => st.contacts.in_call === 1);
    expect(waiting.callsInProgress).toBe(1);
    const [unknown] = await attemptRows(campaignId);
    expect(unknown.state).toBe('unknown');
    expect(unknown.error_detail).toMatch(/HTTP 500/);
    // Nothing was redialed while the outcome was unknown.
    expect(s.simulator.requests).toHaveLength(1);

    expect(await reconcileAttempts(s.app.pool, 60_000)).toBe(0);
    expect(await reconcileAttempts(s.app.pool, 0)).toBe(1);
    const [attempt] = await attemptRows(campaignId);
    expect(attempt.state).toBe('failed_unknown');
    const [contact] = await contactRows(campaignId);
    expect(contact).toMatchObject({ id: contactIds[0], state: 'pending', outcome: 'failed_unknown', attempt_count: 1 });
    expect(contact.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(50_000);
    expect((await campaignRow(campaignId)).active_calls).toBe(0);
  });

  it('a request that never left (connection refused) undoes the claim and is sent again later', async () => {
    const s = await run({}, {}, false);
    const { campaignId, contactIds } = await makeRunningCampaign(s.app, 1);
    await feedCampaign(s.app, campaignId);
    // The simulator's port with nothing listening any more: connect is refused, nothing was sent.
    await s.simulator.close();
    const dialContact = makeDialContact({
      pool: s.app.pool,
      log: s.app.log,
      telnyx: makeTelnyxClient({ apiKey: 'sim-key', baseUrl: s.simulator.baseUrl, timeoutMs: 2000 }),
      limiter: makeDialRateLimiter(s.app.redis(), s.app.config.QUEUE_PREFIX, 100, 25),
      publicBaseUrl: s.app.config.PUBLIC_BASE_URL,
    });
    const step = await dialContact({ campaignId, contactId: contactIds[0]!, attemptNumber: 1 }, 1);
    expect(step).toMatchObject({ kind: 'retryLater' });
    expect(await attemptRows(campaignId)).toEqual([]);
    const [contact] = await contactRows(campaignId);
    expect(contact).toMatchObject({ state: 'queued', attempt_count: 0 });
    expect((await campaignRow(campaignId)).active_calls).toBe(0);
  });
});
