/**
 * How long Telnyx asked us to wait after a 429, in ms, or undefined when it did not say.
 * `x-ratelimit-reset` is documented in seconds; a value that looks like a Unix time (> 10^9) is read
 * as the reset instant instead of a delay. `Retry-After` is delay-seconds or an HTTP date.
 */
export function parseRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  return fromSeconds(headers.get('x-ratelimit-reset'), nowMs) ?? fromRetryAfter(headers.get('retry-after'), nowMs);
}

function fromSeconds(value: string | null, nowMs: number): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds > 1e9 ? Math.max(0, Math.round(seconds * 1000 - nowMs)) : Math.round(seconds * 1000);
}

function fromRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const seconds = fromSeconds(value, nowMs);
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
