import { isIPv4, isIPv6 } from 'node:net';

/**
 * Decides which callback URLs the simulator may deliver to. A campaign config can name any host
 * (`statusCallbacks: ["https://crm.example.com/..."]`), and a stand-in must not post fake call events
 * to a real system: only loopback hosts (127.0.0.0/8, ::1, localhost) get callbacks, plus the hosts
 * listed in `allowed` (`*` = every host).
 */
export function makeCallbackHostFilter(allowed: readonly string[] = []): (url: string) => { host: string; deliver: boolean } {
  const extra = new Set(allowed.map(normalizeHost));
  const anywhere = extra.has('*');
  return (url) => {
    let host: string;
    try {
      host = normalizeHost(new URL(url).hostname);
    } catch {
      return { host: url, deliver: false };
    }
    return { host, deliver: anywhere || isLoopback(host) || extra.has(host) };
  };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) {
    if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
    // IPv4-mapped 127.x.x.x, written either way (`new URL` turns `::ffff:127.0.0.1` into `::ffff:7f00:1`).
    return /^::ffff:127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
  }
  return false;
}

/** `[::1]` -> `::1`, `LocalHost.` -> `localhost`. */
function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}
