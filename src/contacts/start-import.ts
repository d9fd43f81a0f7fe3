import type pg from 'pg';

/** Records a new import as running (committed at once, so operators can see it) and returns its id. */
export async function startImport(client: pg.PoolClient, campaignId: string, fileName: string): Promise<string> {
  const { rows } = await client.query<{ id: string }>(`INSERT INTO import (campaign_id, file_name, status) VALUES ($1, $2, 'running') RETURNING id`, [
    campaignId,
    fileName,
  ]);
  return rows[0]!.id;
}
