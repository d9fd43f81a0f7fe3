import type pg from 'pg';
import { createCampaign } from '../../src/campaigns/create-campaign.ts';
import type { App } from '../../src/app.ts';

/** A campaign with a valid config (overridable) in the given status, and its contacts. */
export async function makeCampaignWithContacts(
  app: App,
  options: {
    status?: 'draft' | 'running' | 'paused';
    config?: Record<string, unknown>;
    contacts: Array<{ phone: string; state?: string; timezone?: string | null; nextAttemptAt?: Date | null }>;
  },
): Promise<{ campaignId: string; contactIds: string[] }> {
  const campaign = await createCampaign(app, {
    name: `test ${Math.random().toString(36).slice(2)}`,
    connectionId: '1234567890',
    assistantId: 'assistant-test',
    from: '+12125550100',
    callsPerSecond: 5,
    maxConcurrentCalls: 5,
    ...options.config,
  });
  await app.pool.query(`UPDATE campaign SET status = $2 WHERE id = $1`, [campaign.id, options.status ?? 'running']);
  const contactIds: string[] = [];
  for (const contact of options.contacts) {
    const { rows } = await app.pool.query<{ id: string }>(
      `INSERT INTO contact (campaign_id, phone, state, timezone, next_attempt_at)
       VALUES ($1, $2, $3::"ContactState", $4, ($5::timestamptz AT TIME ZONE 'UTC')) RETURNING id`,
      [campaign.id, contact.phone, contact.state ?? 'pending', contact.timezone ?? null, contact.nextAttemptAt?.toISOString() ?? null],
    );
    contactIds.push(rows[0]!.id);
  }
  return { campaignId: campaign.id, contactIds };
}

export async function contactStates(pool: pg.Pool, campaignId: string): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ phone: string; state: string }>(`SELECT phone, state FROM contact WHERE campaign_id = $1`, [campaignId]);
  return Object.fromEntries(rows.map((row) => [row.phone, row.state]));
}
