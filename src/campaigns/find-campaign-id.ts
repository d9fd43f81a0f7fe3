import type { Queryable } from '../db/queryable.ts';
import { DialerError } from '../errors.ts';
import { isCampaignId } from './campaign-id.ts';

/** A campaign by id or by exact name; DialerError('not_found') names what was looked for. */
export async function findCampaignId(pool: Queryable, idOrName: string): Promise<string> {
  const isUuid = isCampaignId(idOrName);
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM campaign WHERE ($1::uuid IS NOT NULL AND id = $1::uuid) OR name = $2 ORDER BY created_at DESC LIMIT 2',
    [isUuid ? idOrName : null, idOrName],
  );
  if (rows.length === 0) throw new DialerError('not_found', `no campaign with id or name "${idOrName}"`, 'campaign');
  if (rows.length > 1 && !isUuid) throw new DialerError('conflict', `several campaigns are named "${idOrName}": use the id`, 'campaign');
  return rows[0]!.id;
}
