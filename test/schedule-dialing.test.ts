import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type RunningWorkers } from '../src/dialing/run-workers.ts';
import { startScheduling } from '../src/dialing/start-scheduling.ts';
import { scheduleCampaign, unscheduleCampaign } from '../src/scheduling/schedules.ts';
import { useTestDatabase } from './support/database.ts';
import { everyDay, startDialStack, zoneWhereItIsAfternoon, type DialStack } from './support/dial-harness.ts';
import { waitFor } from './support/wait-for.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeCampaignWithContacts } from './support/scheduling-fixtures.ts';

// A fixed-offset zone where it is 03:00 now: outside any calling window.
function zoneWhereItIsNight(now = new Date()): string {
  const offset = ((3 - now.getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

describe('a scheduled campaign, end to end (simulator, receiver, dial workers, schedule worker)', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let stack: DialStack;
  let workers: RunningWorkers;
  let scheduling: Worker;

  beforeAll(async () => {
    stack = await startDialStack(db, prefix);
    workers = await startWorkers(stack.app, { feedIntervalMs: 200 });
    scheduling = await startScheduling(stack.app);
  });
  afterAll(async () => {
    await scheduling?.close();
    await workers?.close();
    await stack?.close();
  });

  it('dials only the due contacts inside their window, never a do-not-call number', async () => {
    const afternoon = zoneWhereItIsAfternoon();
    // Paused until the schedule is set: the continuous feeder must not get to it first.
    const { campaignId, contactIds } = await makeCampaignWithContacts(stack.app, {
      status: 'paused',
      config: { callingWindow: { start: '08:00', end: '21:00', days: everyDay }, maxConcurrentCalls: 100, callsPerSecond: 20 },
      contacts: [
        { phone: '+13125550801', timezone: afternoon },
        { phone: '+13125550802', timezone: afternoon },
        { phone: '+13125550803', timezone: zoneWhereItIsNight() }, // window closed now
        { phone: '+13125550804', timezone: afternoon, nextAttemptAt: new Date(Date.now() + 3_600_000) }, // retry not due
        { phone: '+13125550805', timezone: afternoon }, // listed below, after import: never called
      ],
    });
    const [first, second, night, notDue, listed] = contactIds as [string, string, string, string, string];
    await stack.app.pool.query(`INSERT INTO do_not_call (phone, scope) VALUES ('+13125550805', 'global')`);

    await scheduleCampaign(stack.app, campaignId, '* * * * * *'); // a tick every second
    await stack.app.pool.query(`UPDATE campaign SET status = 'running' WHERE id = $1`, [campaignId]);

    const states = async () =>
      Object.fromEntries(
        (await stack.app.pool.query<{ id: string; state: string }>(`SELECT id, state FROM contact WHERE campaign_id = $1`, [campaignId])).rows.map((row) => [
          row.id,
          row.state,
        ]),
      );
    // Dialed (the call outcome is the dial path's business, tested elsewhere) and the listed one suppressed.
    const dialed = ['in_call', 'completed', 'no_answer', 'busy', 'failed'];
    const final = await waitFor(
      async () => {
        const now = await states();
        return dialed.includes(now[first] ?? '') && dialed.includes(now[second] ?? '') && now[listed] === 'suppressed' ? now : undefined;
      },
      { description: 'the due contacts to be dialed and the listed one suppressed', timeoutMs: 60_000, details: states },
    );
    await unscheduleCampaign(stack.app, campaignId);

    expect(stack.simulator.calls.map((call) => call.to).sort()).toEqual(['+13125550801', '+13125550802']);
    expect(final[night]).toBe('pending');
    expect(final[notDue]).toBe('pending');
    const waiting = await stack.app.pool.query(`SELECT next_attempt_at FROM contact WHERE id = $1`, [night]);
    expect(waiting.rows[0].next_attempt_at).not.toBeNull();
  }, 90_000);
});
