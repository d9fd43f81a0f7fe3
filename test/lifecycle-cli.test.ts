import { beforeAll, describe, expect, it } from 'vitest';
import { runDialerInProcess } from './support/cli.ts';
import { useTestDatabase } from './support/database.ts';
import { useCsvFiles } from './support/import-fixtures.ts';
import { useTestRedisPrefix } from './support/redis.ts';

const db = useTestDatabase();
const prefix = useTestRedisPrefix();
const files = useCsvFiles();

beforeAll(() => {
  process.env.DATABASE_URL = db.url;
  process.env.QUEUE_PREFIX = prefix;
  process.env.LOG_LEVEL = 'silent';
});

const dialer = runDialerInProcess;

async function makeCampaign(name: string): Promise<string> {
  const campaign = await db.prisma.campaign.create({
    data: {
      name,
      config: { name, connectionId: '2469501183912961234', assistantId: 'a', from: '+13125550123', callsPerSecond: 1, maxConcurrentCalls: 2 },
      maxConcurrentCalls: 2,
    },
  });
  // One contact still to dial, so starting does not complete the campaign at once.
  await db.prisma.contact.create({ data: { campaignId: campaign.id, phone: '+13125550101' } });
  return campaign.id;
}

describe('status and lifecycle commands take a campaign id or name', () => {
  it('start, status, pause, resume and cancel find the campaign by its name', async () => {
    const id = await makeCampaign('Lifecycle by name');

    expect(await dialer('start', 'Lifecycle by name')).toEqual({ code: 0, stdout: `campaign ${id} is running\n`, stderr: '' });
    const status = await dialer('status', 'Lifecycle by name', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, name: 'Lifecycle by name', status: 'running' });
    expect(await dialer('pause', 'Lifecycle by name')).toEqual({ code: 0, stdout: `campaign ${id} is paused\n`, stderr: '' });
    expect(await dialer('resume', 'Lifecycle by name', '--json')).toMatchObject({ code: 0, stdout: `${JSON.stringify({ id, status: 'running' }, null, 2)}\n` });
    expect(await dialer('cancel', 'Lifecycle by name')).toEqual({
      code: 0,
      stdout: `campaign ${id} is canceled\n1 undialed contact(s) canceled\n`,
      stderr: '',
    });
    expect((await dialer('status', 'Lifecycle by name')).stdout).toContain(`campaign ${id} (Lifecycle by name): canceled, done\n`);
  });

  it('still take the id', async () => {
    const id = await makeCampaign('Lifecycle by id');
    expect(await dialer('start', id)).toEqual({ code: 0, stdout: `campaign ${id} is running\n`, stderr: '' });
    expect((await dialer('status', id)).stdout).toContain(`campaign ${id} (Lifecycle by id): running\n`);
  });

  it('an unknown campaign gets the same error as results, dry-run and schedule', async () => {
    for (const command of ['status', 'start', 'pause', 'resume', 'cancel', 'results', 'dry-run']) {
      expect(await dialer(command, 'No such campaign')).toEqual({ code: 1, stdout: '', stderr: 'error: no campaign with id or name "No such campaign"\n' });
    }
  });

  it('--help says id or name', async () => {
    for (const command of ['status', 'start', 'pause', 'resume', 'cancel']) {
      const run = await dialer(command, '--help');
      expect(run.stdout).toMatch(/Arguments:\n  campaign +campaign id or name/);
    }
  });
});

describe('import, campaign show and rejections take a campaign id or name', () => {
  it('import loads into the campaign of that name; show and rejections find it by name', async () => {
    const id = await makeCampaign('Import by name');
    const file = files.write('by-name.csv', 'phone,first_name\n3125550111,Ada\nnope,Bob\n');

    const imported = await dialer('import', 'Import by name', file, '--json');
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(imported.stdout);
    expect(summary).toMatchObject({ campaignId: id, rowsRead: 2, imported: 1, rejectedCount: 1 });
    expect(await db.prisma.contact.count({ where: { campaignId: id } })).toBe(2);

    const shown = await dialer('campaign', 'show', 'Import by name', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, name: 'Import by name', contacts: { total: 2 } });
    expect((await dialer('campaign', 'show', 'Import by name')).stdout).toContain(`campaign ${id}: Import by name\n`);

    expect(await dialer('rejections', 'Import by name')).toEqual({
      code: 0,
      stdout: `import_id,row,reason,raw\n${summary.importId},3,"phone ""nope"": not a phone number","nope,Bob"\n`,
      stderr: '',
    });
  });

  it('still take the id (and rejections an import id)', async () => {
    const id = await makeCampaign('Import by id');
    const imported = await dialer('import', id, files.write('by-id.csv', 'phone\n3125550112\n'), '--json');
    expect(imported.code).toBe(0);
    const { importId } = JSON.parse(imported.stdout);
    expect(JSON.parse((await dialer('campaign', 'show', id, '--json')).stdout)).toMatchObject({ id, contacts: { total: 2 } });
    expect(await dialer('rejections', id)).toEqual({ code: 0, stdout: 'import_id,row,reason,raw\n', stderr: '' });
    expect(await dialer('rejections', importId)).toEqual({ code: 0, stdout: 'import_id,row,reason,raw\n', stderr: '' });
  });

  it('a campaign with no imports has no rejections', async () => {
    await makeCampaign('Never imported');
    expect(await dialer('rejections', 'Never imported')).toEqual({ code: 0, stdout: 'import_id,row,reason,raw\n', stderr: '' });
  });

  it('an unknown campaign gets the same error as the other commands', async () => {
    const file = files.write('unknown.csv', 'phone\n3125550113\n');
    const error = { code: 1, stdout: '', stderr: 'error: no campaign with id or name "No such campaign"\n' };
    expect(await dialer('import', 'No such campaign', file)).toEqual(error);
    expect(await dialer('campaign', 'show', 'No such campaign')).toEqual(error);
    expect(await dialer('rejections', 'No such campaign')).toEqual(error);
    expect(await dialer('dnc', 'list', '--campaign', 'No such campaign')).toEqual(error);
    expect(await dialer('dnc', 'remove', '3125550113', '--campaign', 'No such campaign')).toEqual(error);
  });

  it('an id wins over another campaign whose name is that id', async () => {
    const id = await makeCampaign('Addressed by id');
    const namedLikeTheId = await makeCampaign(id);
    expect(JSON.parse((await dialer('campaign', 'show', id, '--json')).stdout)).toMatchObject({ id, name: 'Addressed by id' });
    expect(JSON.parse((await dialer('campaign', 'show', namedLikeTheId, '--json')).stdout)).toMatchObject({ id: namedLikeTheId, name: id });
  });

  it('--help says id or name', async () => {
    expect((await dialer('import', '--help')).stdout).toMatch(/Arguments:\n  campaign +campaign id or name\n/);
    expect((await dialer('campaign', 'show', '--help')).stdout).toMatch(/Arguments:\n  campaign +campaign id or name/);
    expect((await dialer('rejections', '--help')).stdout).toMatch(/Arguments:\n  import-or-campaign +import id, or campaign id or name for all its imports\n/);
  });
});
