import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { callRecordChaosEnv, expectDialedOnceAsSimulated, spawnWorkerProcess, useChaosStack, waitForCampaignDone } from './support/chaos-harness.ts';
import { spawnServeProcess } from './support/cli-process.ts';
import { testRedisUrl } from './support/redis.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// A deploy: `dialer serve` is stopped for 30 s mid-campaign while the workers go on dialing. Telnyx
// (the simulator) gives up on the callbacks it could not deliver and never sends them again; the
// calls that ended meanwhile must end from their call records. RECONCILE_GRACE_SECONDS is an hour.
describe('chaos: the callback receiver is down for 30 s mid-campaign', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: {
      rateLimit: false,
      callbackDelayMs: 5,
      callDurationMs: 1500,
      seed: 31,
      outcomes: { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 },
      accountSid: 'acct-deploy',
      callRecords: { visibilityDelayMs: 1000 },
      delivery: { retries: 2, retryDelayMs: 100, timeoutMs: 1000 },
    },
    env: { ...callRecordChaosEnv, TELNYX_ACCOUNT_SID: 'acct-deploy' },
  });

  it('every contact dialed exactly once and ends as simulated; the calls that ended meanwhile from their records', { timeout: 240_000 }, async () => {
    const contacts = 200;
    const { campaignId } = await makeRunningCampaign(
      chaos.stack.app,
      contacts,
      { callsPerSecond: 10, maxConcurrentCalls: 1000, machineDetection: 'Enable' },
      'draft',
    );
    await startCampaign(chaos.stack.app, campaignId);
    const worker = spawnWorkerProcess(chaos.stack);
    let receiver = chaos.stack.receiver;
    try {
      await waitFor(() => chaos.stack.simulator.calls.length >= 30, {
        description: 'the campaign to be under way',
        timeoutMs: 60_000,
        details: () => worker.stderr(),
      });
      expect(await receiver.stop()).toBe(0);
      const stoppedAt = Date.now();
      await waitFor(() => Date.now() - stoppedAt >= 30_000, { description: '30 s of downtime', timeoutMs: 40_000, intervalMs: 500 });
      const callsWhileDown = chaos.stack.simulator.calls.filter((call) => call.at >= stoppedAt).length;
      expect(callsWhileDown).toBeGreaterThan(100);
      const port = new URL(chaos.stack.workerEnv.PUBLIC_BASE_URL!).port;
      receiver = await spawnServeProcess({
        DATABASE_URL: db.url,
        REDIS_URL: chaos.stack.workerEnv.REDIS_URL ?? testRedisUrl,
        QUEUE_PREFIX: prefix,
        TELNYX_PUBLIC_KEY: chaos.stack.simulator.publicKey,
        PORT: port,
        HOST: '127.0.0.1',
        API_TOKEN: '',
      });
      await waitForCampaignDone(chaos.stack.app, campaignId, { simulator: chaos.stack.simulator, timeoutMs: 150_000 });
    } finally {
      expect(await worker.stop(), worker.stderr()).toBe(0);
      if (receiver !== chaos.stack.receiver) expect(await receiver.stop(), receiver.stderr()).toBe(0);
    }
    const { context } = await expectDialedOnceAsSimulated(db.pool, chaos.stack.simulator, campaignId, contacts);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_attempt WHERE campaign_id = $1 AND outcome_source = 'call_record'`,
      [campaignId],
    );
    expect(rows[0]!.n, context).toBeGreaterThan(50);
  });
});
