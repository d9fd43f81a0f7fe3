import type { App } from '../app.ts';
import type { CampaignStatus } from '../generated/prisma/enums.ts';
import { campaignNameTaken, isUniqueViolation } from './campaign-name.ts';
import { parseCampaignConfig } from './parse-campaign-config.ts';

export interface CreatedCampaign {
  id: string;
  name: string;
  status: CampaignStatus;
}

/**
 * Validates the config and stores a new draft campaign; nothing is dialed until it is started.
 * A name another campaign has is refused: DialerError('conflict', field 'name').
 */
export async function createCampaign(app: App, input: unknown): Promise<CreatedCampaign> {
  const config = parseCampaignConfig(input);
  try {
    return await app.prisma.campaign.create({
      data: { name: config.name, config, maxConcurrentCalls: config.maxConcurrentCalls },
      select: { id: true, name: true, status: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw campaignNameTaken(config.name);
    throw error;
  }
}
