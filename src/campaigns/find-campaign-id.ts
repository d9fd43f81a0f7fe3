import type { Queryable } from '../db/queryable.ts';
import { DialerError } from '../errors.ts';
import { isCampaignId } from './campaign-id.ts';

/**
 * A campaign by id or by exact name (names are unique); DialerError('not_found') names what was looked
 * for. An id wins over a campaign whose name happens to be that same uuid text.
 */
export async function findCampaignId(pool: Queryable, idOrName: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM campaign WHERE ($1::uuid IS NOT NULL AND id = $1::uuid) OR name = $2 ORDER BY (id = $1::uuid) IS TRUE DESC LIMIT 1',
    [isCampaignId(idOrName) ? idOrName : null, idOrName],
  );
  if (rows.length === 0) throw new DialerError('not_found', `no campaign with id or name "${idOrName}"`, 'campaign');
  return rows[0]!.id;
}
