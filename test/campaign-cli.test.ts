import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDialerInProcess, type CliRun } from './support/cli.ts';
import { useTestDatabase } from './support/database.ts';
import { testProcessEnv } from './support/test-env.ts';

const db = useTestDatabase();
const sipPassword = 'S3cret-SIP-pa55word';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'campaign-cli-'));
  // For the in-process runs; child processes get the same through their env.
  process.env.DATABASE_URL = db.url;
  process.env.LOG_LEVEL = 'silent';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real `dialer` executable against this file's database (slow to start: used for exit codes and streams). */
async function dialerProcess(...args: string[]): Promise<CliRun> {
  const env = testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['src/cli/bin.mjs', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const dialer = runDialerInProcess;

async function configFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const validConfig = {
  name: 'CLI campaign',
  connectionId: '2469501183912961234',
  assistantId: 'assistant-cli',
  from: '+13125550123',
  callsPerSecond: 1,
  maxConcurrentCalls: 3,
  sipAuthUsername: 'agent',
  sipAuthPassword: sipPassword,
};

describe('dialer campaign', () => {
  let createdId: string;

  // The real executable starts slowly (tsx compiles the CLI): one success and one failure, run together.
  it('the dialer executable: create --json prints {id, name, status} with exit 0; a bad config gives one line on stderr and exit 1', async () => {
    const invalidPath = await configFile('invalid.json', { ...validConfig, timeout: 500, Twiml: '<Response/>' });
    const [success, failure] = await Promise.all([
      dialerProcess('campaign', 'create', '--config', await configFile('valid.json', validConfig), '--json'),
      dialerProcess('campaign', 'create', '--config', invalidPath, '--json'),
    ]);
    expect(success.stderr).toBe('');
    expect(success.code).toBe(0);
    const created = JSON.parse(success.stdout) as { id: string; name: string; status: string };
    expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'CLI campaign', status: 'draft' });
    createdId = created.id;
    expect(await db.prisma.campaign.count()).toBe(1);

    expect(failure.code).toBe(1);
    expect(failure.stdout).toBe('');
    expect(failure.stderr).toBe(
      'error: invalid campaign config (2 problems): timeout: must be an integer from 5 to 120 (seconds); ' +
        'Twiml: is not allowed: the AI-call endpoint builds its own TeXML from the assistant (remove this key)\n',
    );
    expect(failure.stderr).not.toContain(sipPassword);
  });

  it('create prints the new id for people', async () => {
    const run = await dialer('campaign', 'create', '--config', 'examples/campaign.json');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^created campaign [0-9a-f-]{36} \(Spring appointment reminders, draft\)\n$/);
  });

  it('create refuses a name another campaign has, in one line', async () => {
    const run = await dialer('campaign', 'create', '--config', 'examples/campaign.json');
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: a campaign named "Spring appointment reminders" already exists\n' });
  });

  it('create refuses malformed JSON with its line and column, without quoting the file', async () => {
    const path = await configFile('broken.json', `{\n  "name": "x",\n  "sipAuthPassword": ${sipPassword}\n}`);
    const run = await dialer('campaign', 'create', '--config', path);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: campaign config ${path} is not valid JSON at line 3, column 22: unexpected character\n`);
  });

  it('create says when the file does not exist', async () => {
    const run = await dialer('campaign', 'create', '--config', join(dir, 'nope.json'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot read campaign config ${join(dir, 'nope.json')}: no such file\n`);
  });

  it('create without --config fails with usage help', async () => {
    const run = await dialer('campaign', 'create');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: required option '--config <file>' not specified");
  });

  it('list --json includes the created campaigns', async () => {
    const run = await dialer('campaign', 'list', '--json');
    expect(run.code).toBe(0);
    const campaigns = JSON.parse(run.stdout) as { id: string; name: string; contacts: number }[];
    expect(campaigns.map((c) => c.name)).toEqual(['Spring appointment reminders', 'CLI campaign']);
    expect(campaigns.find((c) => c.id === createdId)).toMatchObject({ contacts: 0, status: 'draft', maxConcurrentCalls: 3 });
  });

  it('list prints a table for people', async () => {
    const run = await dialer('campaign', 'list');
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+CONTACTS\s+ACTIVE\s+CREATED\s+NAME$/);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(new RegExp(`^${createdId}\\s+draft\\s+0\\s+0/3\\s+\\S+\\s+CLI campaign$`));
  });

  it('show --json gives the redacted config and contacts per state', async () => {
    await db.prisma.contact.createMany({
      data: [
        { campaignId: createdId, phone: '+13125550101' },
        { campaignId: createdId, phone: '+13125550102', state: 'no_answer', outcome: 'no_answer' },
      ],
    });
    const run = await dialer('campaign', 'show', createdId, '--json');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(sipPassword);
    const details = JSON.parse(run.stdout) as { config: Record<string, unknown>; contacts: { total: number; byState: Record<string, number> } };
    expect(details.config).toMatchObject({ name: 'CLI campaign', sipAuthUsername: 'agent', sipAuthPassword: '[redacted]', timeout: 30 });
    expect(details.contacts.total).toBe(2);
    expect(details.contacts.byState).toMatchObject({ pending: 1, no_answer: 1, completed: 0 });
  });

  it('show prints a summary for people, without the password', async () => {
    const run = await dialer('campaign', 'show', createdId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`campaign ${createdId}: CLI campaign\nstatus: draft\nactive calls: 0 of at most 3\n`);
    expect(run.stdout).toContain('contacts: 2 (pending 1, no_answer 1)\n');
    expect(run.stdout).toContain('"sipAuthPassword": "[redacted]"');
    expect(run.stdout).not.toContain(sipPassword);
  });

  it('show of an unknown id or name fails with not found, exit 1', async () => {
    const run = await dialer('campaign', 'show', 'nope');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: no campaign with id or name "nope"\n');
  });

  it('update replaces a draft’s config by name; a bad file gets every problem; a started campaign is refused', async () => {
    const created = await dialer('campaign', 'create', '--config', await configFile('to-update.json', { ...validConfig, name: 'To update' }), '--json');
    const { id } = JSON.parse(created.stdout) as { id: string };

    const fixed = await configFile('fixed.json', { ...validConfig, name: 'Updated', timeout: 45 });
    const updated = await dialer('campaign', 'update', 'To update', '--config', fixed);
    expect(updated).toEqual({ code: 0, stdout: `updated campaign ${id} (Updated, draft)\n`, stderr: '' });
    expect((await db.pool.query(`SELECT name, config->>'timeout' AS timeout FROM campaign WHERE id = $1`, [id])).rows[0]).toEqual({
      name: 'Updated',
      timeout: '45',
    });

    const invalid = await configFile('invalid-update.json', { ...validConfig, name: 'Updated', timout: 45, callsPerSecond: 0 });
    expect(await dialer('campaign', 'update', id, '--config', invalid)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: invalid campaign config (2 problems): callsPerSecond: must be a number above 0 and at most 1000 (dials per second); ' +
        "timout: unknown key (did you mean 'timeout'?)\n",
    });

    await db.pool.query(`UPDATE campaign SET status = 'paused' WHERE id = $1`, [id]);
    expect(await dialer('campaign', 'update', 'Updated', '--config', fixed, '--json')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: campaign ${id} is paused; only a draft campaign can be updated\n`,
    });
  });

  it('--help describes the commands', async () => {
    const run = await dialer('campaign', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/create \[options\]\s+Validate a campaign config file/);
    expect(run.stdout).toMatch(/list \[options\]\s+List every campaign/);
    expect(run.stdout).toMatch(/update \[options\] <campaign>\s+Replace the config of a draft campaign/);
    expect(run.stdout).toMatch(/show \[options\] <campaign>\s+Show one campaign/);
  });
});
