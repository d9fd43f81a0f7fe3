import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { canonicalTimezone } from './canonical-timezone.ts';
import { COUNTRY_ZONES, NANP_AREA_CODE_ZONES } from './timezone-data.ts';

/**
 * The IANA zones a contact may be in; the calling window must hold in every one of them.
 * The contact's own timezone column wins when it names a real zone. Otherwise the zones come from the
 * number: US/Canada by area code, other countries by country (every zone of a multi-zone country, since
 * we cannot tell which one the person is in). Never empty for a dialable number; a number we cannot
 * place anywhere yields [] and the caller must not dial it (nextCallTime refuses an empty list).
 */
export function contactTimezones(phoneE164: string, timezoneColumn: string | null): string[] {
  return contactTimezonesWithSource(phoneE164, timezoneColumn).zones;
}

/** Where a contact's zones come from: its timezone column, or guessed from its number. */
export type TimezoneSource = 'given' | 'guessed';

/**
 * contactTimezones, saying where the zones come from (as the results show them): `given` when the
 * timezone column names a real zone, `guessed` when they come from the number; null when there are none.
 */
export function contactTimezonesWithSource(phoneE164: string, timezoneColumn: string | null): { zones: string[]; source: TimezoneSource | null } {
  const column = timezoneColumn?.trim();
  if (column && isKnownTimezone(column)) return { zones: [canonicalTimezone(column)!], source: 'given' };
  const zones = zonesOfNumber(phoneE164);
  return { zones, source: zones.length > 0 ? 'guessed' : null };
}

/** Whether Intl knows this IANA zone name (e.g. 'Europe/Paris'); offsets and abbreviations are refused. */
// Intl accepts any letter case ('america/new_york'): the canonical spelling is what is compared.
// Cached (canonicalTimezone): every claim asks, and building an Intl.DateTimeFormat is costly.
export function isKnownTimezone(zone: string): boolean {
  if (!zone.includes('/') && zone !== 'UTC') return false;
  return canonicalTimezone(zone) !== undefined;
}

function zonesOfNumber(phoneE164: string): string[] {
  const parsed = parsePhoneNumberFromString(phoneE164);
  if (!parsed) return [];
  const country = parsed.country;
  if (country === 'US' || country === 'CA') {
    return [...(NANP_AREA_CODE_ZONES.get(parsed.nationalNumber.slice(0, 3)) ?? COUNTRY_ZONES[country] ?? [])];
  }
  if (country) return [...(COUNTRY_ZONES[country] ?? [])];
  // The calling code is shared and the number fits no one country's plan (e.g. +1 999...): every zone
  // of every country behind that calling code.
  return unique(countriesWithCallingCode(parsed.countryCallingCode).flatMap((code) => COUNTRY_ZONES[code] ?? []));
}

function countriesWithCallingCode(callingCode: string): CountryCode[] {
  return getCountries().filter((country) => getCountryCallingCode(country) === callingCode);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * The calling codes several countries share (1, 7, 44, ...): a number's country among them, and so its
 * zones, depends on the whole number. libphonenumber names the one country of any other code whatever
 * the digits after it (as long as the number's length is plausible).
 */
export function sharedCallingCodes(): string[] {
  const countriesPerCode = new Map<string, number>();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    countriesPerCode.set(code, (countriesPerCode.get(code) ?? 0) + 1);
  }
  return [...countriesPerCode].filter(([, countries]) => countries > 1).map(([code]) => code);
}
