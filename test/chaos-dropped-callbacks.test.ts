import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { callRecordChaosEnv, expectDialedOnceAsSimulated, spawnWorkerProcess, useChaosStack, waitForCampaignDone } from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// Real `dialer worker` and `dialer serve` processes against the simulator, whose call records appear
// 1 s after each dial and which never sends the callbacks of a third of the calls (a receiver that
// was down). RECONCILE_GRACE_SECONDS is an hour: every end must come from a callback or a call record.
// The account id is configured (TELNYX_ACCOUNT_SID).
const env = callRecordChaosEnv;
const outcomes = { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 } as const;

describe('chaos: a third of the calls never send a callback', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: {
      rateLimit: false,
      latencyMs: 50,
      callbackDelayMs: 5,
      callDurationMs: 30,
      seed: 29,
      outcomes,
      accountSid: 'from-config',
      dropCallbacksRate: 1 / 3,
      callRecords: { visibilityDelayMs: 1000 },
    },
    env: { ...env, TELNYX_ACCOUNT_SID: 'from-config' },
  });

  it('every contact dialed exactly once and ends as simulated, a third of them from call records', { timeout: 180_000 }, async () => {
    const contacts = 150;
    const { campaignId } = await makeRunningCampaign(
      chaos.stack.app,
      contacts,
      { callsPerSecond: 50, maxConcurrentCalls: 1000, machineDetection: 'Enable' },
      'draft',
    );
    await startCampaign(chaos.stack.app, campaignId);
    const worker = spawnWorkerProcess(chaos.stack);
    try {
      await waitForCampaignDone(chaos.stack.app, campaignId, { simulator: chaos.stack.simulator, timeoutMs: 120_000 });
    } finally {
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
    await expectDialedOnceAsSimulated(db.pool, chaos.stack.simulator, campaignId, contacts);
    const dropped = chaos.stack.simulator.calls.filter((call) => call.callbacksDropped).length;
    expect(dropped).toBeGreaterThan(25);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_attempt WHERE campaign_id = $1 AND outcome_source = 'call_record'`,
      [campaignId],
    );
    expect(rows[0]!.n).toBe(dropped);
  });
});
