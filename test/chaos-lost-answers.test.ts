import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { callRecordChaosEnv, expectDialedOnceAsSimulated, spawnWorkerProcess, useChaosStack, waitForCampaignDone } from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// Answers lost after the call was placed (connection reset, no answer before the timeout, a cut body)
// for two fifths of the dials, and no callback at all for a third of the calls: the ambiguous dials that
// get no callback either must be found in the call list and adopted, never redialed, never guessed.
describe('chaos: dial answers lost after placing, callbacks dropped', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: {
      rateLimit: false,
      latencyMs: 20,
      callbackDelayMs: 5,
      callDurationMs: 30,
      seed: 37,
      outcomes: { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 },
      faults: { reset_after_placing: 0.2, timeout_after_placing: 0.1, garbled_after_placing: 0.1 },
      dropCallbacksRate: 1 / 3,
      accountSid: 'acct-lost',
      callRecords: { visibilityDelayMs: 1000 },
    },
    env: { ...callRecordChaosEnv, TELNYX_ACCOUNT_SID: 'acct-lost' },
  });

  it('every contact dialed exactly once and ends as simulated, the ambiguous ones adopted from the call list', { timeout: 180_000 }, async () => {
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
      await waitForCampaignDone(chaos.stack.app, campaignId, { simulator: chaos.stack.simulator, timeoutMs: 150_000 });
    } finally {
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
    const { ledger, context } = await expectDialedOnceAsSimulated(db.pool, chaos.stack.simulator, campaignId, contacts);
    expect(ledger.notPlaced, context).toBe(0);
    // Ambiguous and silent: only the call list could tell their call_sid and end.
    const adopted = chaos.stack.simulator.calls.filter((call) => call.fault && call.callbacksDropped).length;
    expect(adopted, context).toBeGreaterThan(3);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_attempt WHERE campaign_id = $1 AND outcome_source = 'call_record' AND responded_at IS NOT NULL AND record_absent_checks = 0 AND error_detail IS NOT NULL`,
      [campaignId],
    );
    expect(rows[0]!.n, context).toBe(adopted);
  });
});
