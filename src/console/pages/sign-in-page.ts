import { html } from '../html.ts';
import { layout } from './layout.ts';

export function signInPage({ error, enabled }: { error?: string; enabled: boolean }) {
  return layout(
    'Sign in',
    null,
    html`<div class="signin">
      <h1>Sign in</h1>
      ${
        enabled
          ? html`<form method="post" action="/sign-in">
                <label for="token">API token</label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus size="40" />
                ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
                <p><button type="submit">Sign in</button></p>
              </form>
              <p class="muted">The operator API's token (API_TOKEN). The session lasts 8 hours.</p>`
          : html`<p class="error" role="alert">The console is disabled: set API_TOKEN (16+ characters) and restart <code>dialer serve</code>.</p>`
      }
    </div>`,
  );
}
