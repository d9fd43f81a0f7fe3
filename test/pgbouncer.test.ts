import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { importContacts } from '../src/contacts/import-contacts.ts';
import { checkSessionSettings, makeDatabaseTarget, statementName } from '../src/db/connection.ts';
import { runScheduleTick } from '../src/dialing/run-schedule-tick.ts';
import { scheduleCampaign } from '../src/scheduling/schedules.ts';
import { makeCampaign, makeTestApp, useCsvFiles } from './support/import-fixtures.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { usePooledTestDatabase } from './support/pgbouncer.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';
import { makeApp } from '../src/app.ts';

// Everything that could hold session state, through PgBouncer in transaction pooling mode: the import's
// lock, temp staging table and COPY; the schedule tick's lock; the schema and time zone settings.
describe('Postgres through PgBouncer (transaction pooling)', () => {
  const db = usePooledTestDatabase();
  const prefix = useTestRedisPrefix();
  const files = useCsvFiles();
  let app: App;
  beforeAll(() => {
    app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('connects with no session options and finds the schema and time zone on the server', async () => {
    expect(db.target.pooled).toBe(true);
    await checkSessionSettings(db.pool, db.target);
    const elsewhere = makeDatabaseTarget(`${db.url}&schema=elsewhere`);
    await expect(checkSessionSettings(db.pool, elsewhere)).rejects.toThrow(/ALTER ROLE <user> IN DATABASE .* SET search_path = "elsewhere"/);
  });

  it('prepares no named statement through the pooler: the next transaction may run on another server connection', async () => {
    const statement = (client: pg.ClientBase) => client.query({ name: statementName(client, 'pooled-check'), text: 'SELECT $1::int + 1 AS n', values: [1] });
    const first = await db.pool.connect();
    const second = await db.pool.connect();
    try {
      await statement(first);
      // PgBouncer hands out the server connection used last: `second` now holds the one `first` prepared on.
      await second.query('BEGIN');
      await second.query('SELECT 1');
      expect((await statement(first)).rows).toEqual([{ n: 2 }]);
      await second.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
    expect(statementName(first, 'pooled-check')).toBeUndefined();
  });

  it('imports (lock, temp staging table, COPY, merge) with two imports into one campaign at once counted exactly', { timeout: 60_000 }, async () => {
    const importApp = makeTestApp(db);
    try {
      const campaignId = await makeCampaign(db);
      const rows = Array.from({ length: 2000 }, (_, index) => `+1312${String(5_000_000 + index).padStart(7, '0')},P${index}`);
      const file = files.write('pooled.csv', `phone,first_name\n${rows.join('\n')}\n`);
      // Small rounds: several COPY + merge rounds inside the one transaction.
      const both = await Promise.all([1, 2].map(() => importContacts(importApp, { campaignId, file, rowsPerRound: 300 })));
      // The lock made them take turns: one imported every row, the other found every row a duplicate.
      expect(both.map((summary) => [summary.imported, summary.duplicates]).sort()).toEqual([
        [0, 2000],
        [2000, 0],
      ]);
      const { rows: counted } = await db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM contact WHERE campaign_id = $1`, [campaignId]);
      expect(counted[0]!.count).toBe(2000);
    } finally {
      await importApp.close();
    }
  });

  it('serialises schedule ticks of one campaign with a lock that is freed after each tick', async () => {
    const { campaignId } = await makeRunningCampaign(app, 2);
    await scheduleCampaign(app, campaignId, '0 10 * * *', 'UTC');
    // Another tick holds the campaign's lock (on a direct connection, as another worker would through its own).
    const holder = new pg.Client({ connectionString: db.url.replace(':6432/', ':5432/').replace('?pgbouncer=true', '') });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('schedule-tick'), hashtext($1))`, [campaignId]);
      expect(await runScheduleTick(app, { campaignId })).toMatchObject({ started: false, reason: 'another tick of this campaign is being handled' });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    // Ticks at once: one run starts. A session lock would not do it here: taken on whichever server
    // connection ran that statement, it stays there, and a tick handed that same connection takes it again.
    const racing = await Promise.all(Array.from({ length: 6 }, () => runScheduleTick(app, { campaignId })));
    expect(racing.filter((tick) => tick.started)).toEqual([expect.objectContaining({ started: true, enqueued: 2 })]);
    // Each tick frees its lock: one after another, none is refused for it (more ticks than pooled connections).
    for (let tick = 0; tick < 12; tick += 1) {
      expect(await runScheduleTick(app, { campaignId })).toMatchObject({
        started: false,
        reason: 'previous run still going: 2 contact(s) queued, dialing or in a call',
      });
    }
  });
});
