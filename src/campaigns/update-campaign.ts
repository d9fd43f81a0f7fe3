import type { App } from '../app.ts';
import { nowUtcSql } from '../db/sql-time.ts';
import { withTransaction } from '../db/with-transaction.ts';
import { DialerError } from '../errors.ts';
import { campaignNotFound, isCampaignId } from './campaign-id.ts';
import { campaignNameTaken, isUniqueViolation } from './campaign-name.ts';
import type { CreatedCampaign } from './create-campaign.ts';
import { parseCampaignConfig } from './parse-campaign-config.ts';

/**
 * Replaces a draft campaign's whole config (name included), validated as `createCampaign` does: every
 * broken rule reported at once. A campaign that has been started is refused (DialerError
 * 'invalid_state'): its contacts may have been dialed under the old settings. Contacts already imported
 * keep their phone numbers as they were normalised.
 */
export async function updateCampaign(app: App, id: string, input: unknown): Promise<CreatedCampaign> {
  if (!isCampaignId(id)) throw campaignNotFound(id);
  return withTransaction(app.pool, async (client) => {
    // Locked against a concurrent start: the update lands while the campaign is still a draft, or not at all.
    const { rows } = await client.query<{ status: CreatedCampaign['status'] }>(`SELECT status FROM campaign WHERE id = $1 FOR UPDATE`, [id]);
    const status = rows[0]?.status;
    if (!status) throw campaignNotFound(id);
    if (status !== 'draft') throw new DialerError('invalid_state', `campaign ${id} is ${status}; only a draft campaign can be updated`, 'campaign');
    const config = parseCampaignConfig(input);
    try {
      await client.query(`UPDATE campaign SET name = $2, config = $3, max_concurrent_calls = $4, updated_at = ${nowUtcSql} WHERE id = $1`, [
        id,
        config.name,
        JSON.stringify(config),
        config.maxConcurrentCalls,
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw campaignNameTaken(config.name);
      throw error;
    }
    return { id, name: config.name, status };
  });
}
