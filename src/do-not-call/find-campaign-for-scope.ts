import type { Queryable } from '../db/queryable.ts';
import type { CountryCode } from 'libphonenumber-js';
import { findCampaignId } from '../campaigns/find-campaign-id.ts';
import type { DoNotCallScope } from './add-do-not-call-numbers.ts';

/**
 * The scope for an optional --campaign (id or name), with the country national numbers are read in
 * (the campaign's defaultCountry, else US). Refuses a campaign that does not exist.
 */
export async function findCampaignScope(pool: Queryable, campaign: string | undefined): Promise<{ scope: DoNotCallScope; defaultCountry: CountryCode }> {
  if (campaign === undefined) return { scope: { kind: 'global' }, defaultCountry: 'US' };
  const campaignId = await findCampaignId(pool, campaign);
  const { rows } = await pool.query<{ default_country: string | null }>(`SELECT config->>'defaultCountry' AS default_country FROM campaign WHERE id = $1`, [
    campaignId,
  ]);
  return { scope: { kind: 'campaign', campaignId }, defaultCountry: (rows[0]?.default_country ?? 'US') as CountryCode };
}
