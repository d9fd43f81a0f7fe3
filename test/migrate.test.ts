import { describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
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
