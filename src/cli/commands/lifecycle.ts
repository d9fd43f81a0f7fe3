import type { Command } from 'commander';
import type { App } from '../../app.ts';
import type { LifecycleResult } from '../../campaigns/lifecycle.ts';
import { report } from '../output.ts';

type Lifecycle = typeof import('../../campaigns/lifecycle.ts');

const verbs: { name: string; description: string; run: (lifecycle: Lifecycle, app: App, id: string) => Promise<LifecycleResult> }[] = [
  {
    name: 'start',
    description:
      'Start a draft (or paused) campaign: running `dialer worker` processes dial its due contacts at the configured pace, ' +
      'inside each contact’s calling window',
    run: (lifecycle, app, id) => lifecycle.startCampaign(app, id),
  },
  {
    name: 'pause',
    description: 'Pause a running campaign: no new dials; calls already in progress finish and are recorded',
    run: (lifecycle, app, id) => lifecycle.pauseCampaignByOperator(app, id),
  },
  {
    name: 'resume',
    description: 'Resume a paused campaign (clears the pause reason, e.g. after fixing TELNYX_API_KEY)',
    run: (lifecycle, app, id) => lifecycle.resumeCampaign(app, id),
  },
  {
    name: 'cancel',
    description: 'Cancel a campaign for good: contacts not yet dialed become canceled; calls in progress finish and keep their outcome',
    run: (lifecycle, app, id) => lifecycle.cancelCampaign(app, id),
  },
];

export function registerLifecycle(program: Command): void {
  for (const verb of verbs) {
    program
      .command(verb.name)
      .description(verb.description)
      .argument('<campaign>', 'campaign id or name (as printed by `campaign create` or `campaign list`)')
      .option('--json', 'print {id, status} as JSON')
      .action(async (campaign: string, options: { json?: boolean }) => {
        const [{ withApp }, lifecycle, { findCampaignId }] = await Promise.all([
          import('../../app.ts'),
          import('../../campaigns/lifecycle.ts'),
          import('../../campaigns/find-campaign-id.ts'),
        ]);
        const result = await withApp(async (app) => verb.run(lifecycle, app, await findCampaignId(app.pool, campaign)));
        report(result, options, (r) =>
          [`campaign ${r.id} is ${r.status}`, r.canceledContacts === undefined ? null : `${r.canceledContacts} undialed contact(s) canceled`]
            .filter(Boolean)
            .join('\n'),
        );
      });
  }
}
