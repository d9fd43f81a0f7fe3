import { afterEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';

const database = useTestDatabase();

describe('timestamps read through the pool', () => {
  const zoneBefore = process.env.TZ;
  afterEach(() => {
    if (zoneBefore === undefined) delete process.env.TZ;
    else process.env.TZ = zoneBefore;
  });

  it('read a UTC `timestamp` column as that UTC instant, whatever the process zone', async () => {
    // Node applies a new TZ at once: pg's default parser would read the value as New York time.
    process.env.TZ = 'America/New_York';
    expect(new Date(2026, 0, 2).getTimezoneOffset()).toBe(300);
    const { rows } = await database.pool.query<{ at: Date; none: Date | null }>(`SELECT '2026-01-02 03:04:05.678'::timestamp AS at, NULL::timestamp AS none`);
    expect(rows[0]!.at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(rows[0]!.none).toBeNull();
  });

  it('leave `timestamptz` to pg, which reads the offset Postgres sends', async () => {
    process.env.TZ = 'Asia/Tokyo';
    const { rows } = await database.pool.query<{ at: Date }>(`SELECT '2026-01-02 03:04:05.678+00'::timestamptz AS at`);
    expect(rows[0]!.at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });
});
