import type { App } from '../app.ts';
import { ContactState, type CampaignStatus } from '../generated/prisma/enums.ts';
import { campaignNotFound, isCampaignId } from './campaign-id.ts';
import { campaignConfigSchema, redactConfig, type CampaignConfig } from './config-schema.ts';

export interface CampaignDetails {
  id: string;
  name: string;
  status: CampaignStatus;
  pauseReason: string | null;
  maxConcurrentCalls: number;
  activeCalls: number;
  scheduleCron: string | null;
  scheduleTz: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** The SIP password is redacted. */
  config: CampaignConfig;
  contacts: { total: number; byState: Record<ContactState, number> };
}

/** One campaign with its (redacted) config and how many contacts are in each state. */
export async function getCampaign(app: App, id: string): Promise<CampaignDetails> {
  if (!isCampaignId(id)) throw campaignNotFound(id);
  const [row, stateCounts] = await Promise.all([
    app.prisma.campaign.findUnique({
      where: { id },
      select: {
        id: true,
        name: true,
        status: true,
        pauseReason: true,
        maxConcurrentCalls: true,
        activeCalls: true,
        scheduleCron: true,
        scheduleTz: true,
        createdAt: true,
        startedAt: true,
        completedAt: true,
        config: true,
      },
    }),
    app.prisma.contact.groupBy({ by: ['state'], where: { campaignId: id }, _count: { _all: true } }),
  ]);
  if (!row) throw campaignNotFound(id);
  const byState = Object.fromEntries(Object.values(ContactState).map((state) => [state, 0])) as Record<ContactState, number>;
  for (const { state, _count } of stateCounts) byState[state] = _count._all;
  const total = Object.values(byState).reduce((sum, count) => sum + count, 0);
  return { ...row, config: redactConfig(inDocumentedOrder(row.config)), contacts: { total, byState } };
}

// jsonb stores keys sorted; parsing again lists them in the documented order. The JSON was written by
// createCampaign from a parsed config, so a config stored under older rules is shown as stored.
function inDocumentedOrder(stored: unknown): CampaignConfig {
  const parsed = campaignConfigSchema.safeParse(stored);
  return parsed.success ? parsed.data : (stored as CampaignConfig);
}

/** A campaign's id, name and status, without counting its contacts (the console's page headers). */
export async function getCampaignHeader(app: App, id: string): Promise<{ id: string; name: string; status: CampaignStatus }> {
  if (!isCampaignId(id)) throw campaignNotFound(id);
  const row = await app.prisma.campaign.findUnique({ where: { id }, select: { id: true, name: true, status: true } });
  if (!row) throw campaignNotFound(id);
  return row;
}
