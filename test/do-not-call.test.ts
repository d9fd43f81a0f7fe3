import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import { addDoNotCallNumbers } from '../src/do-not-call/add-do-not-call-numbers.ts';
import { importDoNotCall } from '../src/do-not-call/import-do-not-call.ts';
import { listDoNotCall } from '../src/do-not-call/list-do-not-call.ts';
import { removeDoNotCall } from '../src/do-not-call/remove-do-not-call.ts';
import { useTestDatabase } from './support/database.ts';
import { backendPid, sessionsBlockedBy } from './support/lock-waits.ts';
import { contactStates, makeCampaignWithContacts } from './support/scheduling-fixtures.ts';
import { testConfig, testProcessEnv } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';
import { tallyMismatches } from './support/tallies.ts';

describe('do-not-call import', () => {
  const db = useTestDatabase();
  let app: App;
  let dir: string;

  beforeAll(async () => {
    app = makeApp(testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }));
    dir = await mkdtemp(join(tmpdir(), 'dnc-'));
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const csv = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('lists valid numbers in E.164, reports bad rows by row number, suppresses only contacts not yet dialed', async () => {
    const a = await makeCampaignWithContacts(app, {
      contacts: [
        { phone: '+12125550101', state: 'pending' },
        { phone: '+12125550102', state: 'queued' },
        { phone: '+12125550103', state: 'completed' },
        { phone: '+12125550104', state: 'dialing' },
        { phone: '+12125550199', state: 'pending' },
      ],
    });
    const b = await makeCampaignWithContacts(app, { contacts: [{ phone: '+12125550101', state: 'pending' }] });
    const file = await csv(
      'global.csv',
      'name,Phone Number\nAda,(212) 555-0101\nBob,12345\n\nCy,+1 212 555 0102\nAda again,212-555-0101\nDee,+12125550103\nEve,+12125550104\n',
    );

    const result = await importDoNotCall(app, file);

    expect(result).toMatchObject({ scope: 'global', rowsRead: 6, added: 4, alreadyListed: 1, rejected: 1, suppressedContacts: 3 });
    expect(result.rejections).toEqual([{ row: 3, reason: '"12345": too short for US', raw: 'Bob,12345' }]);
    expect(await contactStates(db.pool, a.campaignId)).toEqual({
      '+12125550101': 'suppressed',
      '+12125550102': 'suppressed',
      '+12125550103': 'completed',
      '+12125550104': 'dialing',
      '+12125550199': 'pending',
    });
    expect(await contactStates(db.pool, b.campaignId)).toEqual({ '+12125550101': 'suppressed' });
    const { rows } = await db.pool.query(`SELECT phone, scope, campaign_id FROM do_not_call WHERE scope = 'global' ORDER BY phone`);
    expect(rows.map((row) => row.phone)).toEqual(['+12125550101', '+12125550102', '+12125550103', '+12125550104']);
    expect(rows.every((row) => row.campaign_id === null)).toBe(true);

    const again = await importDoNotCall(app, file);
    expect(again).toMatchObject({ added: 0, alreadyListed: 5, rejected: 1, suppressedContacts: 0 });
  });

  it("a campaign's list affects only that campaign, and reads national numbers in its defaultCountry", async () => {
    const uk = await makeCampaignWithContacts(app, { config: { defaultCountry: 'GB' }, contacts: [{ phone: '+442079460001' }] });
    const other = await makeCampaignWithContacts(app, { contacts: [{ phone: '+442079460001' }] });
    const file = await csv('campaign.csv', 'phone\n020 7946 0001\n');

    const result = await importDoNotCall(app, file, { campaignId: uk.campaignId });

    expect(result).toMatchObject({ scope: uk.campaignId, added: 1, suppressedContacts: 1, rejected: 0 });
    expect(await contactStates(db.pool, uk.campaignId)).toEqual({ '+442079460001': 'suppressed' });
    expect(await contactStates(db.pool, other.campaignId)).toEqual({ '+442079460001': 'pending' });
    const { rows } = await db.pool.query(`SELECT campaign_id FROM do_not_call WHERE scope = $1`, [uk.campaignId]);
    expect(rows).toEqual([{ campaign_id: uk.campaignId }]);
  });

  it('completes a running campaign whose last contacts it suppresses', async () => {
    const c = await makeCampaignWithContacts(app, { contacts: [{ phone: '+13125550111' }, { phone: '+13125550112', state: 'busy' }] });
    await importDoNotCall(app, await csv('last.csv', '+13125550111\n'));
    const { rows } = await db.pool.query(`SELECT status, completed_at FROM campaign WHERE id = $1`, [c.campaignId]);
    expect(rows[0].status).toBe('completed');
    expect(rows[0].completed_at).not.toBeNull();
  });

  it('listing numbers while a dial claim is in flight never deadlocks with it', async () => {
    const c = await makeCampaignWithContacts(app, {
      contacts: [
        { phone: '+13125550161', state: 'queued' },
        { phone: '+13125550162', state: 'queued' },
      ],
    });
    const [claimed] = c.contactIds;
    // The claim's lock order, step by step (src/attempts/claim-contact.ts): its contact row, then the campaign row.
    const claim = await db.pool.connect();
    try {
      const claimPid = await backendPid(claim);
      await claim.query('BEGIN');
      await claim.query(`UPDATE contact SET state = 'dialing' WHERE id = $1`, [claimed]);
      const listing = addDoNotCallNumbers(db.pool, { kind: 'global' }, ['+13125550161', '+13125550162'], 'test');
      // Only a listing already waiting on the claimed contact can meet the claim's next lock.
      await waitFor(() => sessionsBlockedBy(db.pool, claimPid), { description: 'the listing to wait on the claimed contact' });
      await claim.query(`UPDATE campaign SET active_calls = active_calls + 1 WHERE id = $1`, [c.campaignId]);
      await claim.query('COMMIT');
      await expect(listing).resolves.toEqual({ added: 2, suppressedContacts: 1 });
    } finally {
      claim.release();
    }
    // The claim won its contact (it is being dialed); the other one is suppressed.
    expect(await contactStates(db.pool, c.campaignId)).toEqual({ '+13125550161': 'dialing', '+13125550162': 'suppressed' });
  });

  it('reads a headerless one-column file and semicolon-separated files', async () => {
    const headerless = await importDoNotCall(app, await csv('bare.csv', '+14155550120\n4155550121\n'));
    expect(headerless).toMatchObject({ rowsRead: 2, added: 2, rejected: 0 });
    const semicolons = await importDoNotCall(app, await csv('semi.csv', '\uFEFFNom;Mobile\nZoé;+33 6 12 34 56 78\n'));
    expect(semicolons).toMatchObject({ rowsRead: 1, added: 1, rejected: 0 });
    expect((await listDoNotCall(db.pool, { kind: 'global' }, 1000)).entries.map((e) => e.phone)).toContain('+33612345678');
  });

  it('refuses a file without a phone column, a missing file and an unknown campaign, clearly', async () => {
    await expect(importDoNotCall(app, await csv('nophone.csv', 'name,email\nAda,a@example.com\n'))).rejects.toThrow(
      'no phone column: expected a header named phone, phone_number, phonenumber, phone_no, mobile, mobile_number (or similar); found "name", "email"',
    );
    await expect(importDoNotCall(app, join(dir, 'missing.csv'))).rejects.toThrow(`cannot open ${join(dir, 'missing.csv')}: no such file`);
    await expect(importDoNotCall(app, await csv('x.csv', 'phone\n'), { campaignId: 'no-such-campaign' })).rejects.toThrow(
      'no campaign with id or name "no-such-campaign"',
    );
  });

  it('lists and removes entries', async () => {
    await importDoNotCall(app, await csv('rm.csv', 'phone\n+16175550130\n'));
    const listed = await listDoNotCall(db.pool, { kind: 'global' }, 1);
    expect(listed.entries).toHaveLength(1);
    expect(listed.total).toBeGreaterThan(1);
    expect(await removeDoNotCall(db.pool, { kind: 'global' }, '+16175550130')).toEqual({ removed: true });
    expect(await removeDoNotCall(db.pool, { kind: 'global' }, '+16175550130')).toEqual({ removed: false });
  });

  it('`dialer dnc import --json` prints the result and exits 0; a bad file exits 1 with one line', async () => {
    const run = promisify(execFile);
    const env = testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const file = await csv('cli.csv', 'phone\n+17185550140\nnope\n');
    const [success, failure] = await Promise.all([
      run('node', ['src/cli/bin.mjs', 'dnc', 'import', file, '--json'], { env }),
      run('node', ['src/cli/bin.mjs', 'dnc', 'import', join(dir, 'none.csv')], { env }).catch((error) => error),
    ]);
    expect(JSON.parse(success.stdout)).toMatchObject({ added: 1, rejected: 1, rejections: [{ row: 3 }] });
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe(`error: cannot open ${join(dir, 'none.csv')}: no such file`);
  }, 120_000); // two CLI processes start through tsx: slow on a loaded machine

  it('`dialer dnc import` at the default log level prints only its summary: no log line', async () => {
    const run = promisify(execFile);
    const file = await csv('quiet.csv', 'phone\n+17185550150\n');
    // LOG_LEVEL empty counts as unset: the default level, info.
    const { stdout, stderr } = await run('node', ['src/cli/bin.mjs', 'dnc', 'import', file], { env: testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: '' }) });
    expect(stdout).toBe(`${file} -> global do-not-call list\nrows read: 1, added: 1, already listed: 0, rejected: 0\ncontacts suppressed: 0\n`);
    expect(stderr).toBe('');
  }, 120_000);

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});
