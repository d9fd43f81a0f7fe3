import type pg from 'pg';

/**
 * Marks failed the imports of a campaign left 'running' by a killed process. Only call while holding
 * the campaign's import lock: a live import holds it, so any 'running' one seen then is dead. Its
 * transaction died with its connection, so none of its rows were kept.
 */
export async function failAbandonedImports(client: pg.PoolClient, campaignId: string): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE import SET status = 'failed', finished_at = now(),
            error = 'interrupted before it finished (process stopped); nothing from it was kept: re-run the import'
      WHERE campaign_id = $1 AND status = 'running'`,
    [campaignId],
  );
  return rowCount ?? 0;
}
