import { isUuid } from '../db/uuid.ts';
import { DialerError } from '../errors.ts';

/** Campaign ids are uuids; anything else cannot name a campaign, so it is "not found" rather than a Postgres cast error. */
export function isCampaignId(id: string): boolean {
  return isUuid(id);
}

export function campaignNotFound(id: string): DialerError {
  return new DialerError('not_found', `no campaign with id ${JSON.stringify(id)}`, 'campaignId');
}
