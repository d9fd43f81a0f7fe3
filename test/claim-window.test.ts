import { describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import { spawnWorkerProcess, useChaosStack } from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

// A claim is held until its request leaves, so a worker killed meanwhile strands the contact until
// reconciliation finds its call never placed. A worker with many dial jobs in hand (concurrency 200)
// at 20 calls/s has seconds of dials waiting for pace permits: only a quarter second of them may be
// claimed (5 here), the rest wait unclaimed.
describe('the window between a claim and its request', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const chaos = useChaosStack(db, {
    prefix,
    simulator: { rateLimit: false, latencyMs: 0, callbackDelayMs: 5, callDurationMs: 30, seed: 5, outcomes: { completed: 1 } },
    env: { ACCOUNT_CALLS_PER_SECOND: '1000' },
  });

  it('a worker SIGKILLed while waiting for pace permits strands a quarter second of dials, not dozens', { timeout: 120_000 }, async () => {
    const contacts = 400;
    const { campaignId } = await makeRunningCampaign(chaos.stack.app, contacts, { callsPerSecond: 20, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(chaos.stack.app, campaignId);

    const worker = spawnWorkerProcess(chaos.stack, ['--concurrency', '200']);
    // Three seconds into steady pacing, with every dial job the feeder queued already in the worker's hands.
    await waitFor(() => chaos.stack.simulator.calls.length >= 60, {
      description: 'the worker to pace its campaign for three seconds',
      timeoutMs: 60_000,
      details: () => worker.stderr(),
    });
    await worker.sigkill();
    const dialsAtKill = chaos.stack.simulator.calls.length;
    expect(dialsAtKill).toBeLessThan(contacts);

    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM call_attempt WHERE campaign_id = $1 AND state = 'claimed'`, [campaignId]);
    const sent = new Set(chaos.stack.simulator.calls.flatMap((call) => Object.values(call.body).filter((value) => typeof value === 'string')));
    const stranded = rows.filter(({ id }) => ![...sent].some((value) => value.includes(id)));
    const queued = await db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM contact WHERE campaign_id = $1 AND state = 'queued'`, [
      campaignId,
    ]);
    const context = JSON.stringify({ dialsAtKill, claimed: rows.length, stranded: stranded.length, queued: queued.rows[0]!.count });
    // The worker had far more dial jobs than it claimed: the limit is what kept the claims few.
    expect(queued.rows[0]!.count, context).toBeGreaterThan(20);
    expect(stranded.length, context).toBeLessThanOrEqual(6);
  });
  it('a worker stopped with SIGTERM dials only what it had claimed; its other jobs go back unclaimed', { timeout: 120_000 }, async () => {
    const contacts = 400;
    const { campaignId } = await makeRunningCampaign(chaos.stack.app, contacts, { callsPerSecond: 20, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(chaos.stack.app, campaignId);
    const dialsBefore = chaos.stack.simulator.calls.length;
    const worker = spawnWorkerProcess(chaos.stack, ['--concurrency', '200']);
    await waitFor(() => chaos.stack.simulator.calls.length >= dialsBefore + 60, {
      description: 'the worker to pace its campaign for three seconds',
      timeoutMs: 60_000,
      details: () => worker.stderr(),
    });
    const dialsAtStop = chaos.stack.simulator.calls.length;
    expect(await worker.stop(), worker.stderr()).toBe(0);
    const dialsAfterStop = chaos.stack.simulator.calls.length - dialsAtStop;
    const { rows } = await db.pool.query<{ state: string; count: number }>(
      `SELECT state::text, count(*)::int AS count FROM contact WHERE campaign_id = $1 GROUP BY state ORDER BY state`,
      [campaignId],
    );
    const context = JSON.stringify({ dialsAtStop, dialsAfterStop, contacts: rows });
    // The jobs in its hands were seconds of dialing at 20/s: it sent only those it held claimed (5 at
    // this rate) and the few whose turn came as the stop began.
    expect(dialsAfterStop, context).toBeLessThanOrEqual(10);
    expect(
      rows.find((row) => row.state === 'dialing'),
      context,
    ).toBeUndefined();
    expect(rows.find((row) => row.state === 'queued')?.count ?? 0, context).toBeGreaterThan(20);
  });
});
