import type { App } from '../app.ts';
import type { CampaignStatus } from '../generated/prisma/enums.ts';

export interface CampaignSummary {
  id: string;
  name: string;
  status: CampaignStatus;
  contacts: number;
  activeCalls: number;
  maxConcurrentCalls: number;
  scheduleCron: string | null;
  createdAt: Date;
}

/** Every campaign, newest first, with its contact count. */
export async function listCampaigns(app: App): Promise<CampaignSummary[]> {
  const rows = await app.prisma.campaign.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: {
      id: true,
      name: true,
      status: true,
      activeCalls: true,
      maxConcurrentCalls: true,
      scheduleCron: true,
      createdAt: true,
      _count: { select: { contacts: true } },
    },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, contacts: _count.contacts }));
}

/** Every campaign, newest first, without counting contacts (the console takes the counts from a snapshot). */
export async function listCampaignsUncounted(app: App): Promise<Omit<CampaignSummary, 'contacts'>[]> {
  return app.prisma.campaign.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    select: { id: true, name: true, status: true, activeCalls: true, maxConcurrentCalls: true, scheduleCron: true, createdAt: true },
  });
}
