import type { ContactHistory } from '../../results/read-contact-history.ts';
import type { ContactInsights } from '../call-insights-slot.ts';
import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { formatTime, layout } from './layout.ts';

export function contactPage(session: ConsoleSession, contact: ContactHistory, insights: ContactInsights | null) {
  const variables = Object.entries(contact.variables);
  return layout(
    contact.phone,
    session,
    html`<h1>Contact ${contact.phone}</h1>
      <p>
        Campaign <a href="/campaigns/${contact.campaignId}">${contact.campaignName}</a> · <a href="/campaigns/${contact.campaignId}/results">all results</a>
      </p>
      <dl class="facts">
        <dt>State</dt>
        <dd id="contact-state">${contact.state}</dd>
        <dt>Outcome</dt>
        <dd>${contact.outcome ?? '—'}</dd>
        <dt>Time zone</dt>
        <dd>${contact.timezone ?? 'from the number'}</dd>
        ${
          contact.nextAttemptAt
            ? html`<dt>Next attempt</dt>
                <dd>${formatTime(contact.nextAttemptAt)}</dd>`
            : ''
        }
      </dl>
      <section class="card">
        <h2>Variables</h2>
        ${
          variables.length
            ? html`<dl class="facts" id="variables">
                ${variables.map(
                  ([name, value]) =>
                    html`<dt>${name}</dt>
                      <dd>${value}</dd>`,
                )}
              </dl>`
            : html`<p class="muted">No variables.</p>`
        }
      </section>
      <h2>Attempts</h2>
      ${contact.attempts.length === 0 ? html`<p class="muted">Not dialed yet.</p>` : ''}
      ${contact.attempts.map(
        (attempt) =>
          html`<section class="card attempt">
            <h3>Attempt ${attempt.attemptNumber}: ${attempt.state}</h3>
            <dl class="facts">
              <dt>Dialed</dt>
              <dd>${formatTime(attempt.claimedAt)}</dd>
              ${
                attempt.endedAt
                  ? html`<dt>Ended</dt>
                      <dd>${formatTime(attempt.endedAt)}</dd>`
                  : ''
              }
              ${
                attempt.callSid
                  ? html`<dt>Call</dt>
                      <dd><code>${attempt.callSid}</code></dd>`
                  : ''
              }
              ${
                attempt.answeredBy
                  ? html`<dt>Answered by</dt>
                      <dd>${attempt.answeredBy}</dd>`
                  : ''
              }
              ${
                attempt.talkDurationSec !== null
                  ? html`<dt>Talk time</dt>
                      <dd>${attempt.talkDurationSec} s</dd>`
                  : ''
              }
              ${
                attempt.hangupCause
                  ? html`<dt>Hang-up</dt>
                      <dd>${attempt.hangupCause}</dd>`
                  : ''
              }
              ${
                attempt.errorCode
                  ? html`<dt>Error</dt>
                      <dd>${attempt.errorCode} ${attempt.errorDetail ?? ''}</dd>`
                  : ''
              }
              ${
                attempt.conversationId
                  ? html`<dt>Conversation</dt>
                      <dd><code>${attempt.conversationId}</code></dd>`
                  : ''
              }
              <dt>Recording</dt>
              <dd>
                ${safeLink(attempt.recordingUrl) ? html`<a href="${attempt.recordingUrl}" rel="noreferrer" target="_blank">listen to the recording</a>` : 'none'}
              </dd>
            </dl>
            <h4>Callback timeline</h4>
            ${
              attempt.events.length
                ? html`<ol class="timeline">
                    ${attempt.events.map(
                      (event) =>
                        html`<li>
                          <time datetime="${event.receivedAt.toISOString()}">${formatTime(event.receivedAt)}</time>
                          ${event.kind}${event.status ? html`: <strong>${event.status}</strong>` : ''}${
                            event.sequenceNumber !== null ? html` <span class="muted">#${event.sequenceNumber}</span>` : ''
                          }
                        </li>`,
                    )}
                  </ol>`
                : html`<p class="muted">No callback received.</p>`
            }
          </section>`,
      )}
      ${insights ? insightsSection(insights) : ''}`,
  );
}

// What the latest answered call achieved, from the post-call work (absent for contacts without one).
function insightsSection(insights: ContactInsights) {
  const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
  return html`<section class="card" id="transcript">
    <h2>Conversation (attempt ${String(insights.attemptNumber)})</h2>
    <dl class="facts">
      <dt>Read</dt>
      <dd>${insights.state}</dd>
      <dt>Goal met</dt>
      <dd>${yesNo(insights.goalMet)}</dd>
      <dt>Opted out</dt>
      <dd>${yesNo(insights.optedOut)}</dd>
    </dl>
    ${
      insights.transcript.length > 0
        ? html`<ol class="timeline">
            ${insights.transcript.map((turn) => html`<li><strong>${turn.role}</strong>: ${turn.text}</li>`)}
          </ol>`
        : html`<p class="muted">No transcript read.</p>`
    }
    <h2>Insights</h2>
    <dl class="facts">
      ${insights.insights.map(
        (insight) =>
          html`<dt>${insight.name}</dt>
            <dd>${insight.value}</dd>`,
      )}
    </dl>
  </section>`;
}

// A recording URL comes from a callback: only http(s) becomes a link (never javascript: or data:).
function safeLink(url: string | null): boolean {
  return url !== null && /^https?:\/\//i.test(url);
}
