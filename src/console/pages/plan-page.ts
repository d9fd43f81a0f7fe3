import type { DryRun } from '../../scheduling/dry-run.ts';
import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { formatNumber, formatTime, layout, statusBadge } from './layout.ts';

/** The dry run (`dialer dry-run`): what starting the campaign would do, nothing dialed or changed. */
export function planPage(session: ConsoleSession, plan: DryRun) {
  const { assumptions } = plan.estimate;
  return layout(
    `Plan of ${plan.name}`,
    session,
    html`<h1>Dry-run plan: <a href="/campaigns/${plan.campaignId}">${plan.name}</a></h1>
      <p>${statusBadge(plan.status)} Nothing is dialed or changed by this plan.</p>
      <dl class="facts">
        <dt>Contacts to dial</dt>
        <dd>${formatNumber(plan.toDial)}</dd>
        <dt>Suppressed (do not call)</dt>
        <dd>${formatNumber(plan.suppressed)}</dd>
        <dt>Rows rejected at import</dt>
        <dd>${formatNumber(plan.invalid)}</dd>
        <dt>Estimated finish</dt>
        <dd>${plan.estimate.finishAt ? formatTime(plan.estimate.finishAt) : 'never (no calling window ahead)'}</dd>
        <dt>Never callable</dt>
        <dd>${formatNumber(plan.estimate.neverCallable)}</dd>
        <dt>Pace</dt>
        <dd>
          ${assumptions.effectiveCallsPerSecond} dials/s (${assumptions.callsPerSecond}/s configured, at most ${assumptions.maxConcurrentCalls} at once,
          ${assumptions.averageCallSeconds} s per call assumed)
        </dd>
        <dt>Calling window</dt>
        <dd>${assumptions.callingWindow.start}–${assumptions.callingWindow.end}, ${assumptions.callingWindow.days.join(' ')}</dd>
        <dt>Schedule</dt>
        <dd>${assumptions.schedule ? `${assumptions.schedule.cron} (${assumptions.schedule.tz})` : 'none: continuous'}</dd>
        <dt>Retries</dt>
        <dd>${assumptions.retries}</dd>
      </dl>
      <h2>Contacts by time zone</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Time zones</th>
              <th scope="col" class="num">Contacts</th>
              <th scope="col">Next call</th>
            </tr>
          </thead>
          <tbody>
            ${plan.timeZones.map(
              (group) =>
                html`<tr>
                  <td>${group.zones.join(', ') || 'unknown'}</td>
                  <td class="num">${formatNumber(group.contacts)}</td>
                  <td>${group.openNow ? 'now' : group.nextCallAt ? formatTime(group.nextCallAt) : 'never'}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`,
  );
}
