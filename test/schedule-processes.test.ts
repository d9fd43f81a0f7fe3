import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { makeQueue } from '../src/jobs/queues.ts';
import type { TickResult } from '../src/dialing/run-schedule-tick.ts';
import { makeSchedulerId, scheduleCampaign } from '../src/scheduling/schedules.ts';
import { ledgerProblems, noLedgerProblems, readDialLedger, spawnWorkerProcess, useChaosStack, waitForCampaignDone } from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import type { CliProcess } from './support/cli-process.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// Three `dialer worker` processes (each runs the schedule-tick worker and rebuilds the job schedulers
// from Postgres at start) on one campaign scheduled every second: each fire time is handled by one
// process only, and one run dials the campaign once.
describe('cron schedule across three worker processes', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: { rateLimit: false, latencyMs: 10, callbackDelayMs: 5, callDurationMs: 30, outcomes: { completed: 1 } },
    env: { ACCOUNT_CALLS_PER_SECOND: '1000' },
  });

  it('one run per tick: every fire time handled once, the campaign dialed once', { timeout: 180_000 }, async () => {
    const contacts = 20;
    const { campaignId } = await makeRunningCampaign(chaos.stack.app, contacts, { callsPerSecond: 50 }, 'draft');
    await scheduleCampaign(chaos.stack.app, campaignId, '* * * * * *');
    await startCampaign(chaos.stack.app, campaignId);
    const queue = makeQueue(chaos.stack.app, 'scheduleTick');
    const workers: CliProcess[] = [1, 2, 3].map(() => spawnWorkerProcess(chaos.stack, ['--concurrency', '10']));
    const handledTicks = async () => (await queue.getCompleted()).filter((job) => job.id?.startsWith(`repeat:${makeSchedulerId(campaignId)}:`));
    try {
      const status = await waitForCampaignDone(chaos.stack.app, campaignId, { simulator: chaos.stack.simulator, timeoutMs: 120_000 });
      expect(status.status).toBe('completed');
      // Let a few more fire times pass with all three processes listening.
      const seen = (await handledTicks()).length;
      await waitFor(async () => (await handledTicks()).length >= seen + 3, { description: 'three more ticks to be handled', timeoutMs: 30_000 });
    } finally {
      for (const worker of workers) expect(await worker.stop(), worker.stderr()).toBe(0);
    }

    const ticks = await handledTicks();
    const fireTimes = ticks.map((job) => job.id!.split(':').at(-1));
    expect(new Set(fireTimes).size).toBe(fireTimes.length);
    const results = ticks.map((job) => job.returnvalue as TickResult);
    expect(results.filter((result) => result.started && (result as { enqueued: number }).enqueued > 0)).toHaveLength(1);
    await queue.close();

    await chaos.stack.simulator.callbacksSettled();
    const ledger = await readDialLedger(db.pool, chaos.stack.simulator, campaignId, 1);
    expect(ledger.dials, JSON.stringify(ledger)).toBe(contacts);
    expect(ledgerProblems(ledger), JSON.stringify(ledger)).toEqual(noLedgerProblems);
  });
});
