import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { toCsvCell } from '../src/results/csv-cell.ts';
import { countOutcomes } from '../src/results/count-outcomes.ts';
import { exportResults } from '../src/results/export-results.ts';
import { readResultsPage } from '../src/results/read-results-page.ts';
import { makeCallFixture, type CallFixture } from './support/call-fixtures.ts';
import { useTestDatabase } from './support/database.ts';
import { testProcessEnv } from './support/test-env.ts';

const run = promisify(execFile);

describe('results', () => {
  const db = useTestDatabase();
  let fixture: CallFixture;

  beforeAll(async () => {
    fixture = await makeCallFixture(db.pool, {
      variables: { first_name: '=HYPERLINK("http://evil")', note: 'plain, "quoted"', phone: 'shadow' },
      phone: '+15550000001',
    });
    await db.pool.query(
      `UPDATE call_attempt SET state = 'completed', answered_by = 'human', talk_duration_sec = 42, hangup_cause = '@SUM(A1)', recording_url = 'https://x.test/r.mp3' WHERE id = $1`,
      [fixture.attemptId],
    );
    await db.pool.query(`UPDATE contact SET state = 'completed', outcome = 'completed' WHERE id = $1`, [fixture.contactId]);
    const others: [string, string, string | null][] = [
      ['+15550000002', 'no_answer', null],
      ['+15550000003', 'busy', null],
      // A machine answered: the attempt completed, the contact's final state is no_answer, its outcome voicemail.
      ['+15550000004', 'no_answer', 'machine_start'],
      ['+15550000005', 'suppressed', null],
      ['+15550000006', 'pending', null],
      ['+15550000007', 'failed', null],
      ['+15550000008', 'canceled', null],
    ];
    for (const [phone, state, answeredBy] of others) {
      const contact = await db.pool.query<{ id: string }>(
        `INSERT INTO contact (campaign_id, phone, variables, state, outcome, attempt_count) VALUES ($1, $2, '{"first_name":"Bo"}', $3, $4, 1) RETURNING id`,
        [fixture.campaignId, phone, state, answeredBy?.startsWith('machine') ? 'voicemail' : null],
      );
      if (state !== 'suppressed' && state !== 'pending') {
        await db.pool.query(`INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, answered_by) VALUES ($1, $2, 1, $3, $4)`, [
          contact.rows[0]!.id,
          fixture.campaignId,
          answeredBy ? 'completed' : state,
          answeredBy,
        ]);
      }
    }
  });

  it('gives one row per contact in the contact_result view, with the last attempt’s details', async () => {
    const { rows } = await db.pool.query('SELECT * FROM contact_result WHERE campaign_id = $1 ORDER BY phone', [fixture.campaignId]);
    expect(rows).toHaveLength(8);
    expect(rows[0]).toMatchObject({
      phone: '+15550000001',
      state: 'completed',
      outcome: 'completed',
      attempts: 1,
      talk_duration_sec: 42,
      last_call_status: 'completed',
    });
    expect(rows.map((row) => row.outcome)).toEqual(['completed', 'no_answer', 'busy', 'voicemail', 'suppressed', null, 'failed', 'canceled']);
    // A second attempt becomes the "last" one.
    await db.pool.query(`INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state) VALUES ($1, $2, 2, 'ringing')`, [
      fixture.contactId,
      fixture.campaignId,
    ]);
    const again = await db.pool.query('SELECT last_attempt_number, last_call_status FROM contact_result WHERE contact_id = $1', [fixture.contactId]);
    expect(again.rows[0]).toEqual({ last_attempt_number: 2, last_call_status: 'ringing' });
    await db.pool.query(`DELETE FROM call_attempt WHERE contact_id = $1 AND attempt_number = 2`, [fixture.contactId]);
  });

  it('counts final outcomes, voicemail by AMD apart from completed', async () => {
    expect(await countOutcomes(db.pool, fixture.campaignId)).toEqual({
      completed: 1,
      no_answer: 1,
      busy: 1,
      failed: 1,
      canceled: 1,
      voicemail: 1,
      suppressed: 1,
    });
  });

  it('pages with a cursor: every contact exactly once, in phone order', async () => {
    const phones: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await readResultsPage(db.pool, fixture.campaignId, { after, limit: 3 });
      phones.push(...page.rows.map((row) => row.phone));
      after = page.nextCursor;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(phones).toEqual([...Array(8)].map((_, i) => `+1555000000${i + 1}`));
    await expect(readResultsPage(db.pool, fixture.campaignId, { after: 'garbage!' })).rejects.toThrow(/cursor/);
    await expect(readResultsPage(db.pool, fixture.campaignId, { limit: 0 })).rejects.toThrow(/limit/);
  });

  it('defuses formula injection in CSV cells but leaves plain numbers (E.164 phones) alone', () => {
    expect(toCsvCell('=1+2')).toBe("'=1+2");
    expect(toCsvCell('+cmd|calc')).toBe("'+cmd|calc");
    expect(toCsvCell('-2+3')).toBe("'-2+3");
    expect(toCsvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(toCsvCell('\tx')).toBe("'\tx");
    expect(toCsvCell('\rx')).toBe('"\'\rx"');
    expect(toCsvCell('+15551234567')).toBe('+15551234567');
    expect(toCsvCell('-12.5')).toBe('-12.5');
    expect(toCsvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(toCsvCell(null)).toBe('');
  });

  it('exports CSV with variables as columns (a variable shadowing a column is renamed) and JSON', async () => {
    let csv = '';
    for await (const chunk of exportResults(db.pool, fixture.campaignId, 'csv')) csv += chunk;
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^phone,state,outcome,attempts,.*,contact_id,first_name,note,variable_phone$/);
    expect(lines[1]).toContain(`'=HYPERLINK(""http://evil"")`);
    expect(lines[1]).toContain(`'@SUM(A1)`);
    expect(lines[1]).toContain('"plain, ""quoted"""');
    expect(lines[1]!.startsWith('+15550000001,completed,completed,1,')).toBe(true);

    let text = '';
    for await (const chunk of exportResults(db.pool, fixture.campaignId, 'json')) text += chunk;
    const parsed = JSON.parse(text);
    expect(parsed).toHaveLength(8);
    expect(parsed[0]).toMatchObject({ phone: '+15550000001', outcome: 'completed', variables: { first_name: '=HYPERLINK("http://evil")' } });
  });

  it('`dialer results` writes the export to --out, finds the campaign by name, and fails clearly for an unknown one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'results-'));
    const out = path.join(dir, 'r.csv');
    const env = testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
    const { rows } = await db.pool.query('SELECT name FROM campaign WHERE id = $1', [fixture.campaignId]);
    await run('node', ['src/cli/bin.mjs', 'results', rows[0].name, '--out', out], { env });
    expect((await readFile(out, 'utf8')).trimEnd().split('\r\n')).toHaveLength(9);
    const json = await run('node', ['src/cli/bin.mjs', 'results', fixture.campaignId, '--format', 'json'], { env });
    expect(JSON.parse(json.stdout)).toHaveLength(8);
    const failure = await run('node', ['src/cli/bin.mjs', 'results', 'no-such-campaign'], { env }).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe('error: no campaign with id or name "no-such-campaign"');
    const badFormat = await run('node', ['src/cli/bin.mjs', 'results', fixture.campaignId, '--format', 'xml'], { env }).catch((error) => error);
    expect(badFormat.stderr.trim()).toBe('error: --format must be csv or json, not "xml"');
  }, 120_000);

  it('`dialer results C | head` ends quietly, exit 0, when the reader closes the pipe early', async () => {
    const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO campaign (name, config, max_concurrent_calls) VALUES ($1, '{}', 1) RETURNING id`, [
      `pipe closed early ${Date.now()}`,
    ]);
    const campaignId = rows[0]!.id;
    // Far more than a pipe's buffer, so the export is still writing when the reader goes.
    await db.pool.query(
      `INSERT INTO contact (campaign_id, phone, variables)
       SELECT $1, '+1555' || lpad(g::text, 7, '0'), jsonb_build_object('note', repeat('x', 200)) FROM generate_series(1, 3000) g`,
      [campaignId],
    );
    const child = spawn(process.execPath, ['src/cli/bin.mjs', 'results', campaignId], {
      env: testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
