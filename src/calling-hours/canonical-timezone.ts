import { COUNTRY_ZONES, NANP_AREA_CODE_ZONES } from './timezone-data.ts';

const known = new Map<string, string | undefined>();
let preferredNames: Map<string, string> | undefined;

/**
 * The one name of a time zone, or undefined when Intl does not know it: "america/new_york" ->
 * "America/New_York", and aliases of one zone give one name ("Asia/Calcutta" and "Asia/Kolkata" ->
 * "Asia/Kolkata"), the one the zone data of numbers uses (timezone-data.ts), so a contact's timezone
 * column and the zone guessed from a number group together. Intl alone does not do it: Node's ICU
 * resolves "Asia/Kolkata" to the old "Asia/Calcutta", and other ICU versions may not. Cached: a file
 * has few distinct zones and Intl is slow.
 */
export function canonicalTimezone(value: string): string | undefined {
  if (known.has(value)) return known.get(value);
  const resolved = intlTimezone(value);
  const canonical = resolved === undefined ? undefined : ((preferredNames ??= makePreferredNames()).get(resolved) ?? resolved);
  if (known.size < 10_000) known.set(value, canonical);
  return canonical;
}

function intlTimezone(value: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Intl's name of each zone of timezone-data.ts -> the name written there (the current IANA one). */
function makePreferredNames(): Map<string, string> {
  const names = new Map<string, string>();
  const zones = new Set([...Object.values(COUNTRY_ZONES).flat(), ...[...NANP_AREA_CODE_ZONES.values()].flat()]);
  for (const zone of zones) {
    const resolved = intlTimezone(zone);
    if (resolved !== undefined && !names.has(resolved)) names.set(resolved, zone);
  }
  return names;
}
