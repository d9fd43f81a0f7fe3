import { DialerError } from '../errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Campaign ids are uuids; anything else cannot name a campaign, so it is "not found" rather than a Postgres cast error. */
export function isCampaignId(id: string): boolean {
  return uuidPattern.test(id);
}

export function campaignNotFound(id: string): DialerError {
  return new DialerError('not_found', `no campaign with id ${JSON.stringify(id)}`, 'campaignId');
}
