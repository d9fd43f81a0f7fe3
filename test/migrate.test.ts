import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '../src/db/migrate.ts';
import { useTestDatabase } from './support/database.ts';

describe('migrate', () => {
  const db = useTestDatabase();

  it('has applied every migration and records it for prisma migrate deploy', async () => {
    const { rows } = await db.pool.query('SELECT migration_name, finished_at FROM _prisma_migrations');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  it('is idempotent: a second run applies nothing', async () => {
    expect(await migrate(db.target)).toEqual({ createdDatabase: false, applied: [] });
  });

  it('gives Prisma a working schema', async () => {
    const campaign = await db.prisma.campaign.create({ data: { name: 'm', config: {}, maxConcurrentCalls: 1 } });
    expect(campaign.status).toBe('draft');
  });
});

describe('migration unique_campaign_name', () => {
  const db = useTestDatabase();

  // The migrations before it build a database that may hold several campaigns of one name.
  it('renames later duplicates "X (2)", "X (3)"... (skipping names in use) in row and config, then makes names unique', async () => {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: db.target.connectionString });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path TO "${schema}"`);
      const names = (await readdir(migrationsDir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      const unique = names.findIndex((name) => name.endsWith('_unique_campaign_name'));
      expect(unique).toBeGreaterThan(0);
      const sqlOf = (name: string) => readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      for (const name of names.slice(0, unique)) await client.query(await sqlOf(name));

      const rows: Array<[string, string]> = [
        ['X', '2026-01-01'],
        ['X', '2026-01-03'],
        ['X (2)', '2026-01-02'],
        ['X', '2026-01-02'],
        ['Y', '2026-01-01'],
      ];
      for (const [name, createdAt] of rows) {
        await client.query(`INSERT INTO campaign (name, config, max_concurrent_calls, created_at) VALUES ($1, $2, 1, $3)`, [
          name,
          JSON.stringify({ name, callsPerSecond: 1 }),
          createdAt,
        ]);
      }
      await client.query(await sqlOf(names[unique]!));

      const { rows: after } = await client.query<{ name: string; config: { name: string }; created: string }>(
        `SELECT name, config, to_char(created_at, 'YYYY-MM-DD') AS created FROM campaign ORDER BY name`,
      );
      expect(after.map((row) => [row.name, row.config.name, row.created])).toEqual([
        ['X', 'X', '2026-01-01'],
        ['X (2)', 'X (2)', '2026-01-02'],
        ['X (3)', 'X (3)', '2026-01-02'],
        ['X (4)', 'X (4)', '2026-01-03'],
        ['Y', 'Y', '2026-01-01'],
      ]);
      await expect(client.query(`INSERT INTO campaign (name, config, max_concurrent_calls) VALUES ('Y', '{}', 1)`)).rejects.toMatchObject({ code: '23505' });
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
