import { fileURLToPath } from 'node:url';
import { parseConfigWith } from '../config.ts';
import { demoDatabaseUrl } from './demo-database.ts';
import { makeDatabaseTarget } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { pauseCampaign } from '../attempts/pause-campaign.ts';
import { startCampaign } from '../campaigns/lifecycle.ts';
import { startWorkers, type RunningWorkers } from '../dialing/run-workers.ts';
import { createDemoCampaign, refuseOtherRunningCampaigns, type DemoCampaign, type DemoFiles } from './demo-setup.ts';
import { startDemoServices } from './demo-services.ts';
import { makeDemoSummary, type DemoSummary } from './demo-summary.ts';
import { readDemoSnapshot } from './demo-snapshot.ts';
import type { ProgressLine } from './progress-line.ts';
import { watchCampaign } from './watch-campaign.ts';
import { readSampleTranscript, waitForConversations } from './demo-conversations.ts';

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

export const defaultDemoFiles: DemoFiles = {
  campaignConfig: example('demo-campaign.json'),
  contacts: example('contacts.csv'),
  doNotCall: example('do-not-call.csv'),
};

export interface DemoOptions {
  files: DemoFiles;
  stallSeconds: number;
  logLevel: string;
  /** One line per step (migrated, created, imported, ...). */
  say: (line: string) => void;
  progress: ProgressLine;
  /** Aborted on Ctrl-C: the demo stops dialing, lets calls in flight finish and pauses the campaign. */
  signal: AbortSignal;
}

/**
 * `dialer demo`: a whole campaign, end to end, on this machine's Postgres and Redis against the built-in
 * Telnyx simulator: migrate, create a campaign, import contacts, run the real workers and callback
 * receiver until every contact is final or waits for its calling window, and report what happened.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const startedAt = Date.now();
  const migrated = await migrate(makeDatabaseTarget(demoDatabaseUrl(parseConfigWith({}).DATABASE_URL)));
  options.say(migrated.applied.length ? `migrated: applied ${migrated.applied.length} migration(s)` : 'database is up to date');

  const services = await startDemoServices(options.logLevel);
  const { app, simulator } = services;
  let workers: RunningWorkers | undefined;
  let started: DemoCampaign | undefined;
  // The simulator is gone after this run: no later worker may dial this campaign's waiting contacts.
  const leaveCampaign = (why: string) => (started ? pauseCampaign(app.pool, started.id, `the demo ended (${why}); its simulator is gone`) : false);
  try {
    options.say(`Telnyx simulator on ${simulator.baseUrl}, callback receiver on ${services.receiverUrl} (signatures verified)`);
    await refuseOtherRunningCampaigns(app);
    const campaign = await createDemoCampaign(app, options.files);
    options.say(`created campaign ${campaign.id} (${campaign.name})`);
    options.say(`do-not-call list: ${campaign.doNotCall.added} number(s) from ${campaign.doNotCall.file}`);
    const imported = campaign.import;
    options.say(
      `imported ${imported.file}: ${imported.rowsRead} rows, ${imported.imported} contacts (${imported.suppressed} suppressed), ` +
        `${imported.duplicates} duplicate(s), ${imported.rejectedCount} rejected`,
    );
    for (const rejection of imported.rejected) options.say(`  row ${rejection.row}: ${rejection.reason}`);

    workers = await startWorkers(app, { concurrency: 50, feedIntervalMs: 500 });
    await startCampaign(app, campaign.id);
    started = campaign;
    options.say(`started: ${campaign.import.imported - campaign.import.suppressed} contacts to dial`);
    const watched = await watchCampaign(app, campaign.id, { progress: options.progress, stallMs: options.stallSeconds * 1000, signal: options.signal });
    options.progress.done();
    if (watched.end === 'settled') {
      const left = await waitForConversations(app, campaign.id, { timeoutMs: 90_000, signal: options.signal, progress: options.progress });
      options.progress.done();
      options.say(
        left === 0 ? 'post-call work done: every answered call’s transcript and insights read' : `post-call work: ${left} conversation(s) still being read`,
      );
    }

    // Drain first: dials in flight finish and are recorded before the campaign is left behind.
    await workers.close();
    workers = undefined;
    if (watched.end === 'interrupted')
      options.say('stopping: the workers take no new dials and finish those in hand, then up to 5 s for calls in progress to end (Ctrl-C again quits at once)');
    if (watched.end === 'settled' || watched.end === 'interrupted') await services.settleCallbacks(5000);
    await leaveCampaign(watched.end);
    const final = await readDemoSnapshot(app, campaign.id);
    return makeDemoSummary(watched.end, campaign, final, simulator, (Date.now() - startedAt) / 1000, await readSampleTranscript(app, campaign.id));
  } finally {
    options.progress.done();
    await workers?.close();
    await Promise.resolve(leaveCampaign('failed')).catch(() => false);
    await services.close();
  }
}
