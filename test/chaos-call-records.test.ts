import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { callRecordChaosEnv, expectDialedOnceAsSimulated, spawnWorkerProcess, useChaosStack, waitForCampaignDone } from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// Real `dialer worker` and `dialer serve` processes against the simulator, whose call records appear
// 1 s after each dial. RECONCILE_GRACE_SECONDS is an hour: nothing may be settled by the last resort,
// every end must come from a callback or a call record. The account id is not configured: the
// receiver learns it from the first callback.
const env = callRecordChaosEnv;
const outcomes = { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 } as const;

describe('chaos: call records settle what callbacks and dial answers did not', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: { rateLimit: false, latencyMs: 150, callbackDelayMs: 5, callDurationMs: 30, seed: 23, outcomes, callRecords: { visibilityDelayMs: 1000 } },
    env,
  });

  it('a worker SIGKILLed while holding claims: every contact dialed exactly once, outcomes as simulated, no failed_unknown', { timeout: 240_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(
      chaos.stack.app,
      contacts,
      { callsPerSecond: 100, maxConcurrentCalls: 1000, machineDetection: 'Enable' },
      'draft',
    );
    await startCampaign(chaos.stack.app, campaignId);

    const first = spawnWorkerProcess(chaos.stack);
    await waitFor(() => chaos.stack.simulator.calls.length >= 80, {
      description: 'the first worker to be well into the campaign',
      timeoutMs: 60_000,
      details: () => first.stderr(),
    });
    await first.sigkill();
    const claimedAtKill = (
      await db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM call_attempt WHERE campaign_id = $1 AND state = 'claimed'`, [campaignId])
    ).rows[0]!.count;
    // The kill must cut claims: otherwise this test proves nothing.
    expect(claimedAtKill).toBeGreaterThan(0);
    expect(chaos.stack.simulator.calls.length).toBeLessThan(contacts);

    const second = spawnWorkerProcess(chaos.stack);
    let doneAt: number;
    try {
      const status = await waitForCampaignDone(chaos.stack.app, campaignId, { simulator: chaos.stack.simulator, timeoutMs: 180_000 });
      doneAt = Date.now();
      expect(status.status).toBe('completed');
    } finally {
      expect(await second.stop(), second.stderr()).toBe(0);
    }
    await chaos.stack.simulator.callbacksSettled();

    const { ledger, context } = await expectDialedOnceAsSimulated(db.pool, chaos.stack.simulator, campaignId, contacts, { claimedAtKill });
    // Some claims of the killed worker were never sent: the records showed it, and they were dialed again.
    expect(ledger.notPlaced, context).toBeGreaterThan(0);
    expect(ledger.activeCalls, context).toBe(0);
    const lastCallAt = Math.max(...chaos.stack.simulator.calls.map((call) => call.at));
    expect(doneAt - lastCallAt, context).toBeLessThan(120_000);
  });
});
