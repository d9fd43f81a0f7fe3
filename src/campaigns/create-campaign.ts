import type { App } from '../app.ts';
import type { CampaignStatus } from '../generated/prisma/enums.ts';
import { parseCampaignConfig } from './parse-campaign-config.ts';

export interface CreatedCampaign {
  id: string;
  name: string;
  status: CampaignStatus;
}

/** Validates the config and stores a new draft campaign; nothing is dialed until it is started. */
export async function createCampaign(app: App, input: unknown): Promise<CreatedCampaign> {
  const config = parseCampaignConfig(input);
  return app.prisma.campaign.create({
    data: { name: config.name, config, maxConcurrentCalls: config.maxConcurrentCalls },
    select: { id: true, name: true, status: true },
  });
}
