import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { makeDialWorker } from '../src/dialing/dial-worker.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { cancelCampaign, pauseCampaignByOperator, resumeCampaign, startCampaign } from '../src/campaigns/lifecycle.ts';
import { makeFeeder, type Feeder } from '../src/dialing/run-feeder.ts';
import { importContacts } from '../src/contacts/import-contacts.ts';
import { isDialerError } from '../src/errors.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { makeRunningCampaign, startDialStack, zoneWhereItIsAfternoon, type DialStack } from './support/dial-harness.ts';
import { useCsvFiles } from './support/import-fixtures.ts';
import { waitFor } from './support/wait-for.ts';
import { tallyMismatches } from './support/tallies.ts';

describe('campaign lifecycle: start, pause, resume, cancel, status', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  const csv = useCsvFiles();
  let stack: DialStack;
  let worker: Worker;
  let feeder: Feeder;

  beforeAll(async () => {
    stack = await startDialStack(db, prefix, { rateLimit: false });
    worker = makeDialWorker(stack.app, { concurrency: 5 });
    feeder = makeFeeder(stack.app);
  });
  afterAll(async () => {
    await feeder?.stop();
    await worker?.close();
    await stack?.close();
  });

  const status = (id: string) => getCampaignStatus(stack.app, id);
  const statusWhen = (id: string, ready: (s: Awaited<ReturnType<typeof status>>) => boolean) =>
    waitFor(
      async () => {
        await feeder.tick();
        const current = await status(id);
        return ready(current) ? current : undefined;
      },
      { description: `the campaign status to satisfy ${ready}`, timeoutMs: 40_000, details: () => status(id) },
    );
  const callsTo = (phones: string[]) => stack.simulator.calls.filter((call) => phones.includes(call.to));

  it('start dials a draft campaign to completion; status reports counts and done', { timeout: 60_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 5, {}, 'draft');
    expect((await status(campaignId)).contacts.pending).toBe(5);
    await feeder.tick();
    expect(callsTo(phones)).toHaveLength(0);
    expect(await startCampaign(stack.app, campaignId)).toEqual({ id: campaignId, status: 'running' });
    const done = await statusWhen(campaignId, (s) => s.done);
    expect(done).toMatchObject({ status: 'completed', total: 5, callsInProgress: 0, outcomes: { completed: 5 } });
    expect(done.contacts.completed).toBe(5);
    expect(callsTo(phones)).toHaveLength(5);
  });

  it('pause stops new dials (calls in progress finish); resume dials the rest, each contact once', { timeout: 60_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 12, { callsPerSecond: 2 });
    await statusWhen(campaignId, () => callsTo(phones).length >= 2);
    await pauseCampaignByOperator(stack.app, campaignId);
    const paused = await statusWhen(campaignId, (s) => s.contacts.queued + s.contacts.dialing + s.contacts.in_call === 0);
    expect(paused.status).toBe('paused');
    expect(paused.pauseReason).toBe('paused by the operator');
    const dialedBeforeResume = callsTo(phones).length;
    expect(dialedBeforeResume).toBeLessThan(12);
    expect(paused.contacts.pending).toBe(12 - dialedBeforeResume);
    expect(paused.contacts.completed).toBe(dialedBeforeResume);
    // While paused, feeding does nothing.
    await feeder.tick();
    expect((await status(campaignId)).contacts.pending).toBe(12 - dialedBeforeResume);

    await resumeCampaign(stack.app, campaignId);
    await statusWhen(campaignId, (s) => s.done);
    expect(
      callsTo(phones)
        .map((call) => call.to)
        .sort(),
    ).toEqual([...phones].sort());
  });

  it('cancel marks undialed contacts canceled; the campaign is done once calls in progress end', { timeout: 60_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 10, { callsPerSecond: 1 });
    await statusWhen(campaignId, () => callsTo(phones).length >= 1);
    const result = await cancelCampaign(stack.app, campaignId);
    expect(result.status).toBe('canceled');
    const done = await statusWhen(campaignId, (s) => s.done);
    const dialed = callsTo(phones).length;
    expect(done.contacts.canceled).toBe(10 - dialed);
    expect(done.contacts.completed).toBe(dialed);
    expect(done.callsInProgress).toBe(0);
    // The sweep cancels the contacts waiting to be dialed; one claimed but still waiting for its pace
    // permit is canceled when its claim is undone, and is not dialed either.
    expect(result.canceledContacts).toBeGreaterThan(0);
    expect(result.canceledContacts).toBeLessThanOrEqual(10 - dialed);
  });

  it('canceling a canceled campaign again finishes a cancel that was cut short before its contact sweep', async () => {
    const { campaignId } = await makeRunningCampaign(stack.app, 3, {}, 'draft');
    // What a crash between cancel's two transactions leaves: the campaign canceled, its contacts still due.
    await db.pool.query(`UPDATE campaign SET status = 'canceled' WHERE id = $1`, [campaignId]);
    const result = await cancelCampaign(stack.app, campaignId);
    expect(result).toEqual({ id: campaignId, status: 'canceled', canceledContacts: 3 });
    expect((await status(campaignId)).contacts.canceled).toBe(3);
    expect((await cancelCampaign(stack.app, campaignId)).canceledContacts).toBe(0);
  });

  it('an import into a completed campaign reopens it: the workers dial the new contacts and it completes again', { timeout: 60_000 }, async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 1);
    await statusWhen(campaignId, (s) => s.done);
    const late = '+13129990101';
    const file = csv.write('late.csv', `phone,timezone\n${late},${zoneWhereItIsAfternoon()}\n${phones[0]},${zoneWhereItIsAfternoon()}\n`);
    const summary = await importContacts(stack.app, { campaignId, file });
    expect(summary).toMatchObject({ imported: 1, duplicates: 1, campaignReopened: { status: 'running', scheduled: false } });
    expect(await status(campaignId)).toMatchObject({ status: 'running', done: false, contacts: { pending: 1 } });
    const done = await statusWhen(campaignId, (s) => s.done);
    expect(done).toMatchObject({ status: 'completed', contacts: { completed: 2, pending: 0 } });
    expect(callsTo([late])).toHaveLength(1);
    expect(callsTo(phones)).toHaveLength(1);
    // Only duplicates or do-not-call numbers: nothing to dial, the campaign stays completed.
    expect((await importContacts(stack.app, { campaignId, file })).campaignReopened).toBeNull();
    expect((await status(campaignId)).status).toBe('completed');
  });

  it('an import into a completed campaign that an earlier import left with pending contacts reopens it, even with no new contact', async () => {
    const { campaignId, phones } = await makeRunningCampaign(stack.app, 1, {}, 'draft');
    // What an import into a completed campaign left before imports reopened it: completed, one contact pending.
    await db.pool.query(`UPDATE campaign SET status = 'completed', completed_at = now() WHERE id = $1`, [campaignId]);
    const summary = await importContacts(stack.app, { campaignId, file: csv.write('again.csv', `phone\n${phones[0]}\n`) });
    expect(summary).toMatchObject({ imported: 0, duplicates: 1, campaignReopened: { status: 'running', scheduled: false } });
    await statusWhen(campaignId, (s) => s.done);
    expect(callsTo(phones)).toHaveLength(1);
  });

  it('an import into a completed campaign with a cron schedule reopens it for its next scheduled run, not at once', async () => {
    const { campaignId } = await makeRunningCampaign(stack.app, 0, {}, 'draft');
    expect((await startCampaign(stack.app, campaignId)).status).toBe('completed');
    await db.pool.query(`UPDATE campaign SET schedule_cron = '0 9 1 1 *', schedule_tz = 'UTC' WHERE id = $1`, [campaignId]);
    const late = '+13129990202';
    const summary = await importContacts(stack.app, { campaignId, file: csv.write('late-cron.csv', `phone,timezone\n${late},${zoneWhereItIsAfternoon()}\n`) });
    expect(summary.campaignReopened).toEqual({ status: 'running', scheduled: true });
    await feeder.tick();
    expect(await status(campaignId)).toMatchObject({ status: 'running', contacts: { pending: 1 } });
    expect(callsTo([late])).toHaveLength(0);
  });

  it('an import into a canceled campaign is refused and keeps nothing', async () => {
    const { campaignId } = await makeRunningCampaign(stack.app, 0, {}, 'draft');
    await cancelCampaign(stack.app, campaignId);
    const error = await importContacts(stack.app, { campaignId, file: csv.write('canceled.csv', 'phone\n+13129990303\n') }).catch((e: unknown) => e);
    expect(isDialerError(error, 'invalid_state')).toBe(true);
    expect((error as Error).message).toMatch(/is canceled: contacts cannot be added/);
    expect((await status(campaignId)).total).toBe(0);
  });

  it('refuses impossible transitions with a clear error', async () => {
    const { campaignId } = await makeRunningCampaign(stack.app, 0, {}, 'draft');
    await expect(pauseCampaignByOperator(stack.app, campaignId)).rejects.toThrow(/is draft; only a running campaign can be paused/);
    await expect(resumeCampaign(stack.app, campaignId)).rejects.toThrow(/is draft; only a paused campaign can be resumed/);
    // Nothing to dial: it completes at once.
    expect((await startCampaign(stack.app, campaignId)).status).toBe('completed');
    await expect(cancelCampaign(stack.app, campaignId)).rejects.toThrow(/already completed/);
    const unknown = await startCampaign(stack.app, 'not-a-campaign').catch((error: unknown) => error);
    expect(isDialerError(unknown, 'not_found')).toBe(true);
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
