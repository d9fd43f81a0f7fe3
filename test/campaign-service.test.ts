import { beforeAll, describe, expect, it } from 'vitest';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { getCampaign } from '../src/campaigns/get-campaign.ts';
import { listCampaigns } from '../src/campaigns/list-campaigns.ts';
import { updateCampaign } from '../src/campaigns/update-campaign.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { failureOf } from './support/errors.ts';

const db = useTestDatabase();
const ctx = useTestApp(db);

const sipPassword = 'S3cret-SIP-pa55word';
const validInput = {
  name: 'Renewals',
  connectionId: '2469501183912961234',
  assistantId: 'assistant-renewals',
  from: '+13125550123',
  callsPerSecond: 3,
  maxConcurrentCalls: 7,
  sipAuthUsername: 'agent',
  sipAuthPassword: sipPassword,
};

describe('createCampaign', () => {
  it('stores a draft campaign with the parsed config and its concurrency limit', async () => {
    const created = await createCampaign(ctx.app, validInput);
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'Renewals', status: 'draft' });
    const { rows } = await db.pool.query('SELECT name, status, max_concurrent_calls, active_calls, config FROM campaign WHERE id = $1', [created.id]);
    expect(rows).toEqual([
      {
        name: 'Renewals',
        status: 'draft',
        max_concurrent_calls: 7,
        active_calls: 0,
        config: expect.objectContaining({ ...validInput, timeout: 30, retry: { maxAttempts: 1, retryOn: ['no_answer', 'busy'], delaySeconds: 3600 } }),
      },
    ]);
  });

  it('refuses an invalid config with every problem, storing nothing', async () => {
    const before = await db.prisma.campaign.count();
    const error = await failureOf(createCampaign(ctx.app, { ...validInput, timeout: 500, maxConcurrentCalls: 0 }));
    expect(error.code).toBe('invalid_config');
    expect(error.field).toBe('maxConcurrentCalls');
    expect(error.message).toContain('maxConcurrentCalls: must be an integer from 1 to 100000');
    expect(error.message).toContain('timeout: must be an integer from 5 to 120 (seconds)');
    expect(error.message).not.toContain(sipPassword);
    expect(await db.prisma.campaign.count()).toBe(before);
  });
});

describe('campaign names are unique', () => {
  it('refuses a second campaign with a name in use: conflict on name, storing nothing', async () => {
    await createCampaign(ctx.app, { ...validInput, name: 'Taken' });
    const before = await db.prisma.campaign.count();
    const error = await failureOf(createCampaign(ctx.app, { ...validInput, name: 'Taken', maxConcurrentCalls: 2 }));
    expect(error).toMatchObject({ code: 'conflict', field: 'name', message: 'a campaign named "Taken" already exists' });
    expect(await db.prisma.campaign.count()).toBe(before);
    expect((await createCampaign(ctx.app, { ...validInput, name: 'taken' })).name).toBe('taken');
  });
});

describe('updateCampaign', () => {
  it('replaces a draft campaign’s config, name and concurrency limit', async () => {
    const { id } = await createCampaign(ctx.app, { ...validInput, name: 'Draft to fix' });
    const updated = await updateCampaign(ctx.app, id, { ...validInput, name: 'Draft fixed', timeout: 45, maxConcurrentCalls: 9 });
    expect(updated).toEqual({ id, name: 'Draft fixed', status: 'draft' });
    const { rows } = await db.pool.query('SELECT name, status, max_concurrent_calls, config FROM campaign WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({
      name: 'Draft fixed',
      status: 'draft',
      max_concurrent_calls: 9,
      config: expect.objectContaining({ timeout: 45, name: 'Draft fixed' }),
    });
    expect((await updateCampaign(ctx.app, id, { ...validInput, name: 'Draft fixed' })).name).toBe('Draft fixed'); // its own name is no conflict
  });

  it('refuses an invalid config with every problem, changing nothing', async () => {
    const { id } = await createCampaign(ctx.app, { ...validInput, name: 'Draft kept' });
    const error = await failureOf(updateCampaign(ctx.app, id, { ...validInput, name: 'Draft kept', timeout: 500, maxConcurrentCalls: 0 }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('maxConcurrentCalls: must be an integer from 1 to 100000');
    expect(error.message).toContain('timeout: must be an integer from 5 to 120 (seconds)');
    expect(error.message).not.toContain(sipPassword);
    const { rows } = await db.pool.query('SELECT max_concurrent_calls, config FROM campaign WHERE id = $1', [id]);
    expect(rows[0]).toMatchObject({ max_concurrent_calls: 7, config: expect.objectContaining({ timeout: 30 }) });
  });

  it('refuses a campaign that is not a draft, and a name another campaign has', async () => {
    const { id } = await createCampaign(ctx.app, { ...validInput, name: 'Started' });
    await db.pool.query(`UPDATE campaign SET status = 'running' WHERE id = $1`, [id]);
    const started = await failureOf(updateCampaign(ctx.app, id, { ...validInput, name: 'Started', timeout: 45 }));
    expect(started).toMatchObject({ code: 'invalid_state', message: `campaign ${id} is running; only a draft campaign can be updated` });
    expect((await db.pool.query(`SELECT config->>'timeout' AS timeout FROM campaign WHERE id = $1`, [id])).rows[0]).toEqual({ timeout: '30' });

    const draft = await createCampaign(ctx.app, { ...validInput, name: 'Another draft' });
    const taken = await failureOf(updateCampaign(ctx.app, draft.id, { ...validInput, name: 'Started' }));
    expect(taken).toMatchObject({ code: 'conflict', field: 'name', message: 'a campaign named "Started" already exists' });
    expect((await failureOf(updateCampaign(ctx.app, '3f1c2b7e-3d4a-4c1b-9e8f-0a1b2c3d4e5f', validInput))).code).toBe('not_found');
  });
});

describe('listCampaigns and getCampaign', () => {
  let first: string;
  let second: string;

  beforeAll(async () => {
    first = (await createCampaign(ctx.app, { ...validInput, name: 'First' })).id;
    second = (await createCampaign(ctx.app, { ...validInput, name: 'Second', maxConcurrentCalls: 2 })).id;
    await db.prisma.contact.createMany({
      data: [
        { campaignId: second, phone: '+13125550101' },
        { campaignId: second, phone: '+13125550102' },
        { campaignId: second, phone: '+13125550103', state: 'completed', outcome: 'completed' },
        { campaignId: second, phone: '+13125550104', state: 'busy', outcome: 'busy' },
        { campaignId: first, phone: '+13125550101', state: 'queued' },
      ],
    });
  });

  it('lists campaigns newest first with their contact counts', async () => {
    const campaigns = await listCampaigns(ctx.app);
    const mine = campaigns.filter((c) => c.id === first || c.id === second);
    expect(mine.map((c) => [c.name, c.contacts, c.maxConcurrentCalls, c.activeCalls, c.status])).toEqual([
      ['Second', 4, 2, 0, 'draft'],
      ['First', 1, 7, 0, 'draft'],
    ]);
    expect(JSON.stringify(campaigns)).not.toContain(sipPassword);
  });

  it('shows one campaign with its redacted config and contacts per state', async () => {
    const details = await getCampaign(ctx.app, second);
    expect(details).toMatchObject({ id: second, name: 'Second', status: 'draft', maxConcurrentCalls: 2, activeCalls: 0 });
    expect(details.contacts).toEqual({
      total: 4,
      byState: {
        pending: 2,
        queued: 0,
        dialing: 0,
        in_call: 0,
        completed: 1,
        no_answer: 0,
        busy: 1,
        failed: 0,
        canceled: 0,
        suppressed: 0,
      },
    });
    expect(Object.keys(details.config).slice(0, 4)).toEqual(['name', 'connectionId', 'assistantId', 'from']);
    expect(details.config.sipAuthPassword).toBe('[redacted]');
    expect(details.config.sipAuthUsername).toBe('agent');
    expect(JSON.stringify(details)).not.toContain(sipPassword);
  });

  it('keeps the real SIP password in the stored row (the dialer needs it)', async () => {
    const { rows } = await db.pool.query("SELECT config->>'sipAuthPassword' AS password FROM campaign WHERE id = $1", [second]);
    expect(rows[0]?.password).toBe(sipPassword);
  });

  it.each(['not-a-uuid', '', "'; DROP TABLE campaign; --", '00000000-0000-0000-0000-00000000000g'])('gives not_found for the malformed id %j', async (id) => {
    const error = await failureOf(getCampaign(ctx.app, id));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`no campaign with id ${JSON.stringify(id)}`);
  });

  it('gives not_found for a well-formed id no campaign has', async () => {
    const error = await failureOf(getCampaign(ctx.app, '3f1c2b7e-3d4a-4c1b-9e8f-0a1b2c3d4e5f'));
    expect(error.code).toBe('not_found');
  });
});
