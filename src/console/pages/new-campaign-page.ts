import type { ConfigIssue } from '../../campaigns/config-issues.ts';
import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { csrfField, layout } from './layout.ts';

/** What the editor starts from: the required keys and the usual rules, to be edited. */
export const campaignTemplate = JSON.stringify(
  {
    name: 'Spring appointment reminders',
    connectionId: 'YOUR_TEXML_APPLICATION_ID',
    assistantId: 'assistant-YOUR_ASSISTANT_ID',
    from: '+13125550123',
    callsPerSecond: 2,
    maxConcurrentCalls: 10,
    defaultCountry: 'US',
    dynamicVariables: { clinic_name: 'Lakeside Dental' },
    retry: { maxAttempts: 3, retryOn: ['no_answer', 'busy'], delaySeconds: 7200 },
    callingWindow: { start: '09:00', end: '19:30', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
  },
  null,
  2,
);

export function newCampaignPage(session: ConsoleSession, { config, issues }: { config: string; issues: ConfigIssue[] }) {
  return layout(
    'New campaign',
    session,
    html`<h1>New campaign</h1>
      <form method="post" action="/campaigns">
        ${csrfField(session)}
        <label for="config">Campaign config (JSON)</label>
        <p class="muted" id="config-help">
          Every key is described in the README's "Campaign config" section. The campaign is created as a draft: nothing is dialed until you start it.
        </p>
        ${
          issues.length
            ? html`<div class="issues" role="alert" id="config-issues">
                <p>${issues.length === 1 ? '1 problem' : `${issues.length} problems`}:</p>
                <ul>
                  ${issues.map((issue) => html`<li><code>${issue.field}</code>: ${issue.rule}</li>`)}
                </ul>
              </div>`
            : ''
        }
        <textarea id="config" name="config" rows="24" spellcheck="false" aria-describedby="config-help${issues.length ? ' config-issues' : ''}">
${config}</textarea>
        <p><button type="submit">Create campaign</button></p>
      </form>`,
  );
}
