import { html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';
import { layout } from './layout.ts';

export function errorPage(session: ConsoleSession | null, title: string, message: string) {
  return layout(
    title,
    session,
    html`<h1>${title}</h1>
      <p class="issues" role="alert">${message}</p>
      <p><a href="/campaigns">Back to the campaigns</a></p>`,
  );
}
