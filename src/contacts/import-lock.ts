import type pg from 'pg';

// Advisory lock namespace of imports ("classid" of the two-key form), then the campaign id's hash.
const importLockClass = 7701;

/**
 * Serialises imports into one campaign (session lock: held until released or the connection dies),
 * so duplicate counts are exact and a 'running' import seen while holding it is a dead one.
 */
export async function lockCampaignImports(client: pg.PoolClient, campaignId: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [importLockClass, campaignId]);
}

export async function unlockCampaignImports(client: pg.PoolClient, campaignId: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [importLockClass, campaignId]);
}
