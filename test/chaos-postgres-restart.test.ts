import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCampaign } from '../src/campaigns/lifecycle.ts';
import {
  callRecordChaosEnv,
  deliveryOutcomes,
  expectAlive,
  ledgerProblems,
  noLedgerProblems,
  outcomeMismatches,
  readDialLedger,
  requestReconcile,
  spawnWorkerProcess,
  startChaosStack,
  waitForCampaignDone,
  type ChaosStack,
} from './support/chaos-harness.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { openPrivateTestDatabase, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { waitFor } from './support/wait-for.ts';

// Chaos: Postgres crashes and comes back (`pg_ctl restart -m immediate`: every backend killed at once,
// then crash recovery) while a campaign is dialing. Every pooled connection of the worker and of the
// receiver dies, idle or checked out; a process must survive that, and the dials and callbacks that
// failed during the outage must be done again without dialing anyone twice. The test runs its OWN
// Postgres server: the machine's is shared with every other test file.
describe('chaos: Postgres restarts mid-campaign', () => {
  const prefix = useTestRedisPrefix();
  let server: PrivatePostgres;
  let db: Awaited<ReturnType<typeof openPrivateTestDatabase>>;
  let stack: ChaosStack;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    db = await openPrivateTestDatabase(server);
    stack = await startChaosStack(db, {
      prefix,
      simulator: {
        rateLimit: false,
        latencyMs: 40,
        callbackDelayMs: 20,
        callDurationMs: 200,
        seed: 7,
        outcomes: { completed: 7, 'no-answer': 2, busy: 1 },
        // Telnyx retries a callback answered 5xx; enough tries to outlast the restart.
        delivery: { retries: 10, retryDelayMs: 200 },
        callRecords: { visibilityDelayMs: 1000 },
      },
      // RECONCILE_GRACE_SECONDS is an hour: every end must come from a callback or a call record.
      env: callRecordChaosEnv,
    });
  }, 120_000);
  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      await db?.close();
      await server?.stop();
    }
  });

  it('the worker and the receiver ride it out: each contact dialed once, outcomes as simulated', { timeout: 240_000 }, async () => {
    const contacts = 300;
    const { campaignId } = await makeRunningCampaign(stack.app, contacts, { callsPerSecond: 20, maxConcurrentCalls: 1000 }, 'draft');
    await startCampaign(stack.app, campaignId);
    const worker = spawnWorkerProcess(stack);
    let doneAt: number;
    const logs = () => ({ worker: worker.stderr().slice(-4000), receiver: stack.receiver.stderr().slice(-4000) });
    try {
      await waitFor(() => stack.simulator.calls.length >= 60, { description: 'the worker to be 3 s into the campaign', timeoutMs: 60_000, details: logs });
      await server.restart();
      const dialsAtRestart = stack.simulator.calls.length;
      expect(dialsAtRestart).toBeLessThan(contacts);
      expectAlive(worker, 'dialer worker');
      expectAlive(stack.receiver, 'dialer serve');

      const status = await waitForCampaignDone(stack.app, campaignId, {
        simulator: stack.simulator,
        timeoutMs: 180_000,
        // Settles an attempt whose claim committed as the server died (its answer lost): never redialed.
        onPoll: () => requestReconcile(stack.app),
      });
      doneAt = Date.now();
      expect(status.status).toBe('completed');
      expectAlive(worker, 'dialer worker');
      expectAlive(stack.receiver, 'dialer serve');
    } finally {
      expect(await worker.stop(), worker.stderr()).toBe(0);
    }
    await stack.simulator.callbacksSettled();

    const ledger = await readDialLedger(db.pool, stack.simulator, campaignId, 1);
    const problems = ledgerProblems(ledger);
    const context = JSON.stringify({ ...ledger, ...problems, deliveries: deliveryOutcomes(stack.simulator) });
    expect(problems, context).toEqual(noLedgerProblems);
    expect(ledger.contacts, context).toBe(contacts);
    expect(ledger.attempts, context).toBe(contacts);
    expect(ledger.dials, context).toBe(contacts);
    expect(ledger.failedUnknown, context).toBe(0);
    expect(ledger.activeCalls, context).toBe(0);
    // A callback the receiver could not store meanwhile was answered 503 (unavailable, retry later), never 500.
    const deliveries = deliveryOutcomes(stack.simulator);
    expect(deliveries['500'], context).toBeUndefined();
    // Every contact's outcome is the one the carrier decided for its single call.
    expect(await outcomeMismatches(db.pool, stack.simulator, campaignId), context).toEqual([]);
    const lastCallAt = Math.max(...stack.simulator.calls.map((call) => call.at));
    expect(doneAt - lastCallAt, context).toBeLessThan(120_000);
  });
});
