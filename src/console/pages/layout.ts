import { html, type Html } from '../html.ts';
import type { ConsoleSession } from '../session.ts';

// htmx without eval or injected <style>, so it works under the console's Content-Security-Policy.
const htmxConfig = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, historyCacheSize: 0 });

/** Every console page: the stylesheet, the three scripts (files, never inline), the navigation. */
export function layout(title: string, session: ConsoleSession | null, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${htmxConfig}">
<title>${title} · dialer console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/htmx.min.js" defer></script>
<script src="/console/assets/chart.umd.min.js" defer></script>
<script src="/console/assets/console.js" defer></script>
</head>
<body${session ? html` hx-headers="${JSON.stringify({ 'x-csrf-token': session.csrfToken })}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Console">
${
  session
    ? html`<a href="/campaigns">Campaigns</a><a href="/campaigns/new">New campaign</a>
        <form method="post" action="/sign-out">${csrfField(session)}<button type="submit">Sign out</button></form>`
    : html`<span>dialer console</span>`
}
</nav></header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export function csrfField(session: ConsoleSession): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}" />`;
}

export function statusBadge(status: string): Html {
  return html`<span class="status status-${status}">${status}</span>`;
}

export function formatTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
}

export function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}
