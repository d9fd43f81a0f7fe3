import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/min';
import { isCampaignId } from '../campaigns/campaign-id.ts';
import { DialerError } from '../errors.ts';
import type { Queryable } from '../db/queryable.ts';
import { cliImportWording, type ImportWording } from './import-wording.ts';

export interface ImportCampaign {
  id: string;
  defaultCountry: CountryCode;
}

/**
 * The campaign contacts are imported into, with the default country for numbers written without
 * +country code: the override when given, else the campaign config's defaultCountry, else US.
 */
export async function findImportCampaign(
  db: Queryable,
  campaignId: string,
  countryOverride?: string,
  wording: ImportWording = cliImportWording('the file'),
): Promise<ImportCampaign> {
  if (!isCampaignId(campaignId)) throw new DialerError('invalid_input', `campaign id ${JSON.stringify(campaignId)} is not a uuid`, 'campaign');
  const { rows } = await db.query<{ status: string; default_country: string | null }>(
    `SELECT status, config->>'defaultCountry' AS default_country FROM campaign WHERE id = $1`,
    [campaignId],
  );
  const campaign = rows[0];
  if (!campaign) throw new DialerError('not_found', `campaign ${campaignId} not found`, 'campaign');
  if (campaign.status === 'canceled') throw new DialerError('invalid_state', `campaign ${campaignId} is canceled: contacts cannot be added`, 'campaign');
  return { id: campaignId, defaultCountry: toCountryCode(countryOverride ?? campaign.default_country ?? 'US', wording.field('defaultCountry')) };
}

export function toCountryCode(value: string, field = 'default-country'): CountryCode {
  const code = value.trim().toUpperCase();
  if (!isSupportedCountry(code)) {
    throw new DialerError('invalid_input', `default country ${JSON.stringify(value)} is not a supported ISO 3166-1 alpha-2 code (e.g. US, GB, DE)`, field);
  }
  return code;
}
