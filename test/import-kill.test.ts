import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';
import { importContacts } from '../src/contacts/import-contacts.ts';
import { makeCampaign, makeTestApp, useCsvFiles } from './support/import-fixtures.ts';
import { testProcessEnv } from './support/test-env.ts';
import { waitFor } from './support/wait-for.ts';

describe('a killed import', { timeout: 120_000 }, () => {
  const db = useTestDatabase();
  const files = useCsvFiles();

  it('leaves no contacts or rejections; the next import marks it failed and completes the campaign', async () => {
    const campaignId = await makeCampaign(db);
    const rows = Array.from({ length: 5_000 }, (_, i) => (i === 7 ? 'bad' : `+1212${String(2000000 + i)}`));
    const file = files.write('killed.csv', `phone\n${rows.join('\n')}\n`);

    // Locking do_not_call blocks the import's first merge into contact (which reads it) after its
    // rows are staged, so the kill lands mid-transaction, deterministically.
    const blocker = await db.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE do_not_call IN ACCESS EXCLUSIVE MODE');
    // Names the child's connections, to find its blocked INSERT among other test files' sessions.
    const applicationName = `import-kill-${campaignId}`;
    const child = spawn('node', ['src/cli/bin.mjs', 'import', campaignId, file], {
      env: testProcessEnv({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', PGAPPNAME: applicationName }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await waitFor(
        async () => {
          const { rowCount } = await db.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO contact%'`,
            [applicationName],
          );
          return rowCount === 1;
        },
        { description: 'the import to block on its INSERT', timeoutMs: 60_000, intervalMs: 50 },
      );
      child.kill('SIGKILL');
      await once(child, 'exit');
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }

    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(0);
    const [killed] = await db.prisma.import.findMany({ where: { campaignId } });
    expect(killed).toMatchObject({ status: 'running', imported: 0 });
    expect(await db.prisma.importRejection.count({ where: { importId: killed!.id } })).toBe(0);

    const app = makeTestApp(db);
    try {
      expect(await importContacts(app, { campaignId, file })).toMatchObject({ rowsRead: 5_000, imported: 4_999, rejectedCount: 1 });
    } finally {
      await app.close();
    }
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(4_999);
    expect(await db.prisma.import.findUniqueOrThrow({ where: { id: killed!.id } })).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/interrupted/),
    });
  });
});
