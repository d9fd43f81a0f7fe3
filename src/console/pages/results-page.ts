import { goalFilters, type ContactResult, type ResultsFilter } from '../../results/read-results-page.ts';
import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { formatTime, layout } from './layout.ts';

export const stateChoices = ['pending', 'queued', 'dialing', 'in_call', 'completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed'];
export const outcomeChoices = ['completed', 'voicemail', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed'];

export interface ResultsPageData {
  campaignId: string;
  campaignName: string;
  filter: ResultsFilter;
  /** The cursor of this page (null: the first page). */
  after: string | null;
  rows: ContactResult[];
  nextCursor: string | null;
}

export function resultsPage(session: ConsoleSession, { campaignId, campaignName, filter, after, rows, nextCursor }: ResultsPageData) {
  const query = (extra: Record<string, string>) => {
    const params = new URLSearchParams();
    if (filter.state) params.set('state', filter.state);
    if (filter.outcome) params.set('outcome', filter.outcome);
    if (filter.goal) params.set('goal', filter.goal);
    if (filter.phoneStartsWith) params.set('phone', filter.phoneStartsWith);
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  const select = (name: string, label: string, choices: string[], current: string | null | undefined) =>
    html`<div>
      <label for="${name}">${label}</label
      ><select id="${name}" name="${name}">
        <option value="">any</option>
        ${choices.map((choice) => html`<option value="${choice}" ${choice === current ? html` selected` : ''}>${choice.replace('_', ' ')}</option>`)}
      </select>
    </div>`;
  return layout(
    `Results of ${campaignName}`,
    session,
    html`<h1>Results: <a href="/campaigns/${campaignId}">${campaignName}</a></h1>
      <form method="get" action="/campaigns/${campaignId}/results" class="filters" role="search">
        ${select('state', 'State', stateChoices, filter.state)} ${select('outcome', 'Outcome', outcomeChoices, filter.outcome)}
        ${select('goal', 'Goal', [...goalFilters], filter.goal)}
        <div>
          <label for="phone">Phone starts with</label
          ><input id="phone" name="phone" type="search" inputmode="tel" value="${filter.phoneStartsWith ?? ''}" placeholder="+1 312" />
        </div>
        <div><button type="submit">Filter</button></div>
        <div><a class="button secondary" href="/campaigns/${campaignId}/results.csv${query({})}" download>Download CSV of this filter</a></div>
      </form>
      <div class="table-wrap">
        <table id="results">
          <thead>
            <tr>
              <th scope="col">Phone</th>
              <th scope="col">State</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">Attempts</th>
              <th scope="col" class="hide-narrow">Last call</th>
              <th scope="col" class="num hide-narrow">Talk s</th>
              <th scope="col" class="hide-narrow">Ended</th>
            </tr>
          </thead>
          <tbody>
            ${
              rows.length
                ? rows.map(
                    (row) =>
                      html`<tr>
                        <td><a href="/contacts/${row.contact_id}">${row.phone}</a></td>
                        <td>${row.state}${row.waiting ? html` <span class="muted">(${row.waiting})</span>` : ''}</td>
                        <td>${row.outcome ?? ''}</td>
                        <td class="num">${row.attempts}</td>
                        <td class="hide-narrow">${row.last_call_status ?? ''}</td>
                        <td class="num hide-narrow">${row.talk_duration_sec ?? ''}</td>
                        <td class="hide-narrow">${formatTime(row.ended_at)}</td>
                      </tr>`,
                  )
                : html`<tr>
                    <td colspan="7">No contact matches.</td>
                  </tr>`
            }
          </tbody>
        </table>
      </div>
      <p class="actions">
        ${after ? html`<a class="button secondary" href="/campaigns/${campaignId}/results${query({})}">First page</a>` : ''}
        ${nextCursor ? html`<a class="button" href="/campaigns/${campaignId}/results${query({ after: nextCursor })}" rel="next">Next page</a>` : ''}
      </p>`,
  );
}
