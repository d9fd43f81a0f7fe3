import type { CampaignStatusReport } from '../../campaigns/campaign-status.ts';
import type { DoNotCallImport } from '../../do-not-call/import-do-not-call.ts';
import type { ImportSummary } from '../../contacts/import-contacts.ts';
import type { ScheduleView } from '../../scheduling/schedules.ts';
import { html, type Html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { csrfField, formatNumber, formatTime, layout, statusBadge } from './layout.ts';

export interface LiveData {
  status: CampaignStatusReport;
  rate: Array<{ at: string; dialsPerSecond: number }>;
}

export interface CampaignPageData extends LiveData {
  schedule: ScheduleView | null;
  /** Goal rate (issue "what each AI call achieved"), shown only when it exists. */
  goalRate: number | undefined;
  message?: { text: string; error: boolean };
  /** An upload's summary fragment, shown as is when the form was sent without script. */
  uploadResult?: Html;
}

export function campaignPage(session: ConsoleSession, data: CampaignPageData) {
  const { status } = data;
  const id = status.id;
  return layout(
    status.name,
    session,
    html`<h1>${status.name}</h1>
      ${data.message ? html`<p class="${data.message.error ? 'issues' : 'notice'}" role="${data.message.error ? 'alert' : 'status'}">${data.message.text}</p>` : ''}
      ${data.uploadResult ?? ''}
      <p class="actions">
        <a class="button secondary" href="/campaigns/${id}/results">Results</a>
        <a class="button secondary" href="/campaigns/${id}/plan">Dry-run plan</a>
      </p>
      ${liveSection(session, data)}
      <div class="grid">
        <section class="card">
          <h2>Outcomes</h2>
          <div class="chart"><canvas id="outcomes-chart" role="img" aria-label="Outcomes of the contacts done so far"></canvas></div>
        </section>
        <section class="card">
          <h2>Dials per second, last 5 minutes</h2>
          <div class="chart"><canvas id="rate-chart" role="img" aria-label="Dials per second over the last 5 minutes"></canvas></div>
        </section>
      </div>
      ${scheduleSection(session, id, data.schedule)}
      ${uploadSection(session, id, 'contacts', 'Import contacts (CSV)', 'Drop a CSV of contacts here, or choose a file.')}
      ${uploadSection(session, id, 'do-not-call', 'Do-not-call list (CSV)', 'Drop a CSV of numbers not to call here, or choose a file.')}`,
  );
}

function actionForm(session: ConsoleSession, id: string, action: string, label: string, shown: boolean, kind = ''): Html | string {
  if (!shown) return '';
  return html`<form method="post" action="/campaigns/${id}/${action}">
    ${csrfField(session)}<button type="submit" class="${kind}" id="${action}-button">${label}</button>
  </form>`;
}

/**
 * The part of the campaign page htmx refreshes every 2 s (hx-swap outerHTML): the lifecycle buttons
 * that fit the status, the figures, and the charts' data. Buttons keep their ids so htmx gives focus
 * back to the one a keyboard user is on.
 */
export function liveSection(session: ConsoleSession, { status, rate, goalRate }: LiveData & { goalRate?: number }): Html {
  const id = status.id;
  const final = status.total - status.contacts.pending - status.contacts.queued - status.contacts.dialing - status.contacts.in_call;
  const outcomes = Object.entries(status.outcomes).map(([label, value]) => ({ label: label.replace('_', ' '), value }));
  const series = rate.map((point) => ({ label: point.at.slice(11, 19), value: point.dialsPerSecond }));
  return html`<section class="card" id="live" hx-get="/campaigns/${status.id}/live" hx-trigger="every 2s" hx-swap="outerHTML">
    <h2>Now</h2>
    <div class="actions">
      ${actionForm(session, id, 'start', 'Start', status.status === 'draft')}
      ${actionForm(session, id, 'pause', 'Pause', status.status === 'running', 'secondary')}
      ${actionForm(session, id, 'resume', 'Resume', status.status === 'paused')}
      ${
        status.status === 'completed' || status.status === 'canceled'
          ? ''
          : html`<form
              method="post"
              action="/campaigns/${id}/cancel"
              data-confirm="Cancel campaign “${status.name}”? Contacts not yet dialed are canceled; this cannot be undone."
            >
              ${csrfField(session)}<button type="submit" class="danger" id="cancel-button">Cancel campaign</button>
            </form>`
      }
    </div>
    <p>
      Status: ${statusBadge(status.status)}
      <span id="campaign-state">${status.done ? 'done' : status.status}</span>
      ${status.pauseReason ? html` — <span class="error">paused: ${status.pauseReason}</span>` : ''}
    </p>
    <progress max="${Math.max(status.total, 1)}" value="${final}" aria-label="${final} of ${status.total} contacts done"></progress>
    <dl class="facts">
      <dt>Contacts done</dt>
      <dd>${formatNumber(final)} of ${formatNumber(status.total)}</dd>
      <dt>Calls in progress</dt>
      <dd>${status.callsInProgress} of at most ${status.maxConcurrentCalls}</dd>
      <dt>Dials per second</dt>
      <dd>${status.dialsPerSecond} (last ${status.dialRateWindowSeconds} s)</dd>
      ${
        goalRate === undefined
          ? ''
          : html`<dt>Goal rate</dt>
              <dd>${Math.round(goalRate * 100)}%</dd>`
      }
      ${
        status.pending.windowOpensAt
          ? html`<dt>Next calling window</dt>
              <dd>${formatTime(status.pending.windowOpensAt)}</dd>`
          : ''
      }
      ${
        status.pending.nextRetryAt
          ? html`<dt>Next retry</dt>
              <dd>${formatTime(status.pending.nextRetryAt)}</dd>`
          : ''
      }
    </dl>
    <div class="table-wrap">
      <table id="contacts-by-state">
        <caption class="muted">
          Contacts per state
        </caption>
        <thead>
          <tr>
            ${Object.keys(status.contacts).map((state) => html`<th scope="col" class="num">${state.replace('_', ' ')}</th>`)}
          </tr>
        </thead>
        <tbody>
          <tr>
            ${Object.values(status.contacts).map((count) => html`<td class="num">${formatNumber(count)}</td>`)}
          </tr>
        </tbody>
      </table>
    </div>
    <div id="chart-data" hidden data-outcomes="${JSON.stringify(outcomes)}" data-rate="${JSON.stringify(series)}"></div>
  </section>`;
}

function scheduleSection(session: ConsoleSession, id: string, schedule: ScheduleView | null): Html {
  return html`<section class="card" id="schedule">
    <h2>Schedule</h2>
    ${
      schedule
        ? html`<p>
              Runs on
              <code>${schedule.cron}</code>
              (${schedule.tz})${schedule.active ? '' : html` <span class="error">(not yet active in Redis: a worker rebuilds it when it starts)</span>`}.
            </p>
            <p>Next runs:</p>
            <ul>
              ${schedule.nextRuns.map((run) => html`<li>${formatTime(run)}</li>`)}
            </ul>
            <form method="post" action="/campaigns/${id}/schedule/remove">
              ${csrfField(session)}<button type="submit" class="secondary">Remove the schedule</button>
            </form>`
        : html`<p class="muted">No schedule: a running campaign is dialed continuously, within its calling window.</p>`
    }
    <form method="post" action="/campaigns/${id}/schedule" class="filters">
      ${csrfField(session)}
      <div>
        <label for="cron">Cron expression</label
        ><input id="cron" name="cron" type="text" required placeholder="0 9 * * mon-fri" value="${schedule?.cron ?? ''}" />
      </div>
      <div><label for="tz">Time zone</label><input id="tz" name="tz" type="text" placeholder="UTC" value="${schedule?.tz ?? ''}" /></div>
      <div><button type="submit">Set schedule</button></div>
    </form>
  </section>`;
}

function uploadSection(session: ConsoleSession, id: string, kind: 'contacts' | 'do-not-call', title: string, hint: string): Html {
  const resultId = `${kind}-result`;
  return html`<section class="card">
    <h2>${title}</h2>
    <form method="post" action="/campaigns/${id}/${kind}" enctype="multipart/form-data" data-upload="${resultId}">
      ${csrfField(session)}
      <div class="dropzone">
        <p>${hint}</p>
        <label for="${kind}-file">CSV file</label>
        <input id="${kind}-file" name="file" type="file" accept=".csv,text/csv" required />
      </div>
      <p><button type="submit">Upload</button></p>
      <progress max="1" value="0" hidden aria-label="Upload progress"></progress>
    </form>
    <div id="${resultId}" aria-live="polite"></div>
  </section>`;
}

export function importSummaryFragment(campaignId: string, summary: ImportSummary): Html {
  return html`<div class="notice" role="status" id="import-summary">
    <p>
      <strong>Imported ${formatNumber(summary.imported)}</strong> of ${formatNumber(summary.rowsRead)} rows from ${summary.file} (phone column
      <code>${summary.phoneColumn}</code>).
    </p>
    <ul>
      <li>duplicates: ${formatNumber(summary.duplicates)}</li>
      <li>on a do-not-call list: ${formatNumber(summary.suppressed)}</li>
      <li>
        rejected:
        ${formatNumber(summary.rejectedCount)}${
          summary.rejectedCount
            ? html` — <a href="/campaigns/${campaignId}/rejections.csv?import=${summary.importId}" download>download the rejected rows (CSV)</a>`
            : ''
        }
      </li>
    </ul>
  </div>`;
}

export function doNotCallSummaryFragment(summary: DoNotCallImport): Html {
  return html`<div class="notice" role="status">
    <p><strong>Added ${formatNumber(summary.added)}</strong> numbers to the campaign's do-not-call list (${formatNumber(summary.rowsRead)} rows read).</p>
    <ul>
      <li>already listed: ${formatNumber(summary.alreadyListed)}</li>
      <li>contacts suppressed: ${formatNumber(summary.suppressedContacts)}</li>
      <li>rejected: ${formatNumber(summary.rejected)}</li>
    </ul>
    ${
      summary.rejections.length
        ? html`<ul class="muted">
            ${summary.rejections.slice(0, 20).map((row) => html`<li>row ${row.row}: ${row.reason}</li>`)}
          </ul>`
        : ''
    }
  </div>`;
}

export function errorFragment(message: string): Html {
  return html`<p class="issues" role="alert">${message}</p>`;
}
