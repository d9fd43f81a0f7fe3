import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import {
  ledgerProblems,
  noLedgerProblems,
  readDialLedger,
  requestReconcile,
  spawnWorkerProcess,
  useChaosStack,
  waitForCampaignDone,
} from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { tallyMismatches } from './support/tallies.ts';

// Chaos: a `dialer worker` process is killed with SIGKILL in the middle of a campaign, with dial
// requests in flight (the simulator answers after 150 ms, so claims, sent-but-unanswered requests and
// pace waits are all cut), then a fresh process takes over.
describe('chaos: SIGKILL a worker process mid-campaign', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: {
      rateLimit: false,
      latencyMs: 150,
      callbackDelayMs: 5,
      callDurationMs: 30,
      seed: 11,
      outcomes: { completed: 6, 'no-answer': 2, busy: 1, voicemail: 1 },
    },
    env: { ACCOUNT_CALLS_PER_SECOND: '1000', RECONCILE_GRACE_SECONDS: '30' },
  });

  it('every contact ends final and the carrier saw each contact at most once per attempt', { timeout: 240_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(chaos.stack.app, contacts, { callsPerSecond: 100, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(chaos.stack.app, campaignId);

    const first = spawnWorkerProcess(chaos.stack);
    await waitFor(() => chaos.stack.simulator.calls.length >= 80, {
      description: 'the first worker to be well into the campaign',
      timeoutMs: 60_000,
      details: () => first.stderr(),
    });
    await first.sigkill();
    const dialsAtKill = chaos.stack.simulator.calls.length;
    // The kill must land mid-campaign, with work left: otherwise this test proves nothing.
    expect(dialsAtKill).toBeLessThan(contacts);
    const claimedAtKill = await db.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM call_attempt WHERE campaign_id = $1 AND state = 'claimed'`,
      [campaignId],
    );

    const second = spawnWorkerProcess(chaos.stack);
    try {
      // Attempts the killed process claimed but never sent stay `claimed` with no callback: only the
      // reconciler (after the production grace period) may settle them, as failed_unknown.
      const status = await waitForCampaignDone(chaos.stack.app, campaignId, {
        simulator: chaos.stack.simulator,
        // The grace is 30 s and the reconciler runs on request; a loaded 2-core machine took 95 s.
        timeoutMs: 160_000,
        onPoll: () => requestReconcile(chaos.stack.app),
      });
      expect(status.status).toBe('completed');
    } finally {
      expect(await second.stop(), second.stderr()).toBe(0);
    }
    await chaos.stack.simulator.callbacksSettled();

    const ledger = await readDialLedger(db.pool, chaos.stack.simulator, campaignId, 1);
    const problems = ledgerProblems(ledger);
    const context = JSON.stringify({ dialsAtKill, claimedAtKill: claimedAtKill.rows[0]?.count, ledger: { ...ledger, ...problems } });
    expect(problems, context).toEqual(noLedgerProblems);
    expect(ledger.contacts).toBe(contacts);
    expect(ledger.attempts, context).toBe(contacts);
    // Every attempt reached the carrier once, except those the kill cut between claim and request.
    expect(ledger.dials + ledger.failedUnknown, context).toBeGreaterThanOrEqual(contacts);
    expect(ledger.activeCalls, context).toBe(0);
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
