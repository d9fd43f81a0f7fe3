import type pg from 'pg';

// Advisory lock namespace of imports ("classid" of the two-key form), then the campaign id's hash.
const importLockClass = 7701;

/** A held import lock; release() frees it (commit), release(true) drops its connection (which frees it too). */
export interface ImportLock {
  release(destroy?: boolean): Promise<void>;
}

/**
 * Serialises imports into one campaign, so duplicate counts are exact and a 'running' import seen while
 * holding it is a dead one. The lock is a transaction lock on a connection of its own, whose transaction
 * stays open for the whole import: it holds until released or the connection dies, as a session lock
 * would, and it also works through a transaction pooler (PgBouncer), where a session lock is taken on
 * whichever server connection runs that one statement and stays there after it.
 */
export async function lockCampaignImports(pool: pg.Pool, campaignId: string): Promise<ImportLock> {
  const client = await pool.connect();
  // Its errors reach us through its queries; a dead connection has freed the lock with it.
  client.on('error', () => {});
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [importLockClass, campaignId]);
  } catch (error) {
    client.release(true);
    throw error;
  }
  return {
    async release(destroy = false) {
      if (destroy) return client.release(true);
      try {
        await client.query('COMMIT');
        client.release();
      } catch {
        client.release(true);
      }
    },
  };
}
