const known = new Map<string, string | undefined>();

/**
 * The canonical IANA name of a time zone as Intl knows it ("america/new_york" -> "America/New_York"),
 * or undefined when Intl does not know it. Cached: a file has few distinct zones and Intl is slow.
 */
export function canonicalTimezone(value: string): string | undefined {
  if (known.has(value)) return known.get(value);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  if (known.size < 10_000) known.set(value, canonical);
  return canonical;
}
