import type { App } from '../app.ts';
import { createCampaign, type CreatedCampaign } from '../campaigns/create-campaign.ts';
import { readConfigFile } from '../campaigns/read-config-file.ts';
import { importContacts, type ImportSummary } from '../contacts/import-contacts.ts';
import { importDoNotCall, type DoNotCallImport } from '../do-not-call/import-do-not-call.ts';
import { DialerError, isDialerError } from '../errors.ts';

export interface DemoFiles {
  campaignConfig: string;
  contacts: string;
  doNotCall: string;
}

export interface DemoCampaign {
  id: string;
  name: string;
  doNotCall: DoNotCallImport;
  import: ImportSummary;
}

/**
 * The workers dial every running campaign of their schema. The demo keeps to a schema of its own
 * (demoDatabaseUrl), but DATABASE_URL may name one that holds other campaigns: its workers would send
 * their contacts to the simulator and record made-up outcomes for them, so it refuses to share it.
 */
export async function refuseOtherRunningCampaigns(app: App): Promise<void> {
  const { rows } = await app.pool.query<{ id: string; name: string }>(`SELECT id, name FROM campaign WHERE status = 'running' ORDER BY created_at LIMIT 5`);
  if (rows.length === 0) return;
  const listed = rows.map((row) => `${row.id} (${row.name})`).join(', ');
  throw new DialerError(
    'invalid_state',
    `campaign(s) running in this database: ${listed}. The demo's workers would dial them through its simulator; ` +
      'pause them (`dialer pause <id>`) or point DATABASE_URL at another database',
  );
}

/**
 * A new campaign (named with the time, so every run has its own: " (2)", " (3)"... when a run of the
 * same second has it), its do-not-call list and its contacts.
 */
export async function createDemoCampaign(app: App, files: DemoFiles, now = new Date()): Promise<DemoCampaign> {
  const config = (await readConfigFile(files.campaignConfig)) as { name?: unknown };
  const name = `${typeof config.name === 'string' ? config.name : 'Demo'} ${now.toISOString().slice(0, 19).replace('T', ' ')}`;
  const created = await createWithFreeName(app, config, name);
  const doNotCall = await importDoNotCall(app, files.doNotCall, { campaignId: created.id });
  const summary = await importContacts(app, { campaignId: created.id, file: files.contacts });
  return { id: created.id, name: created.name, doNotCall, import: summary };
}

// Campaign names are unique: the first of name, "name (2)", "name (3)"... no campaign has yet.
async function createWithFreeName(app: App, config: object, name: string): Promise<CreatedCampaign> {
  for (let suffix = 1; ; suffix += 1) {
    try {
      return await createCampaign(app, { ...config, name: suffix === 1 ? name : `${name} (${suffix})` });
    } catch (error) {
      if (!isDialerError(error, 'conflict') || error.field !== 'name' || suffix >= 100) throw error;
    }
  }
}
