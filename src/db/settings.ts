import type { Queryable } from './queryable.ts';
import { nowUtcSql } from './sql-time.ts';

/** Keys of the dialer_setting table: facts the dialer learns and keeps. */
export type SettingKey = 'telnyx_account_sid';

export async function readSetting(client: Queryable, key: SettingKey): Promise<string | undefined> {
  const { rows } = await client.query<{ value: string }>('SELECT value FROM dialer_setting WHERE key = $1', [key]);
  return rows[0]?.value;
}

/** Stores `value` unless the key has one already (the first value learned stays); returns the stored value. */
export async function storeSettingOnce(client: Queryable, key: SettingKey, value: string): Promise<string> {
  const { rows } = await client.query<{ value: string }>(
    `WITH added AS (
       INSERT INTO dialer_setting (key, value, updated_at) VALUES ($1, $2, ${nowUtcSql}) ON CONFLICT (key) DO NOTHING RETURNING value
     )
     SELECT value FROM added UNION ALL SELECT value FROM dialer_setting WHERE key = $1 LIMIT 1`,
    [key, value],
  );
  return rows[0]?.value ?? value;
}
