import type { CampaignProgress } from '../../campaigns/campaign-progress.ts';
import type { CampaignSummary } from '../../campaigns/list-campaigns.ts';
import type { ScheduleView } from '../../scheduling/schedules.ts';
import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { formatNumber, formatTime, layout, statusBadge } from './layout.ts';

export interface CampaignsPageData {
  campaigns: Omit<CampaignSummary, 'contacts'>[];
  progress: Map<string, CampaignProgress>;
  schedules: ScheduleView[];
  /** Goal rate per campaign id (issue "what each AI call achieved"); the column shows only when one exists. */
  goalRates: Map<string, number>;
}

export function campaignsPage(session: ConsoleSession, { campaigns, progress, schedules, goalRates }: CampaignsPageData) {
  const nextRun = new Map(schedules.map((schedule) => [schedule.campaignId, schedule.nextRuns[0] ?? null]));
  const showGoal = goalRates.size > 0;
  const rows = campaigns.map((campaign) => {
    const entry = progress.get(campaign.id) ?? { total: 0, done: 0, dialsPerSecond: 0 };
    const goal = goalRates.get(campaign.id);
    return html`<tr>
      <td><a href="/campaigns/${campaign.id}">${campaign.name}</a></td>
      <td>${statusBadge(campaign.status)}</td>
      <td>
        <progress max="${Math.max(entry.total, 1)}" value="${entry.done}" aria-label="${entry.done} of ${entry.total} contacts done"></progress>
        <span class="muted">${entry.total ? Math.floor((entry.done / entry.total) * 100) : 0}%</span>
      </td>
      <td class="num">${formatNumber(entry.total)}</td>
      <td class="num">${campaign.activeCalls} / ${campaign.maxConcurrentCalls}</td>
      <td class="num">${entry.dialsPerSecond}</td>
      ${showGoal ? html`<td class="num">${goal === undefined ? '' : `${Math.round(goal * 100)}%`}</td>` : ''}
      <td class="hide-narrow">${formatTime(nextRun.get(campaign.id))}</td>
    </tr>`;
  });
  return layout(
    'Campaigns',
    session,
    html`<h1>Campaigns</h1>
      <p><a class="button" href="/campaigns/new">New campaign</a></p>
      ${
        campaigns.length === 0
          ? html`<p>No campaign yet.</p>`
          : html`<div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Progress</th>
                    <th scope="col" class="num">Contacts</th>
                    <th scope="col" class="num">Calls in progress</th>
                    <th scope="col" class="num">Dials/s</th>
                    ${showGoal ? html`<th scope="col" class="num">Goal rate</th>` : ''}
                    <th scope="col" class="hide-narrow">Next scheduled run</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
            </div>`
      }`,
  );
}
