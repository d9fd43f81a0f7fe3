import {
  ParseError,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/min';

export type NormalizedPhone = { e164: string; reason?: undefined } | { e164?: undefined; reason: string };

// libphonenumber-js error codes, in the operator's words.
const reasons: Record<string, string> = {
  NOT_A_NUMBER: 'not a phone number',
  INVALID_COUNTRY: 'invalid country code (start the number with + and its country code, or check the default country)',
  TOO_SHORT: 'too short',
  TOO_LONG: 'too long',
  INVALID_LENGTH: 'invalid length for its country',
};

/**
 * The E.164 form of a phone number as typed in a CSV, or why it cannot be dialed. With `hint`, a
 * national number invalid in the default country but valid in others says so (otherCountryHint).
 * Uses libphonenumber-js's "min" metadata (each country's national number pattern): no slower than
 * "max" (BENCHMARKS.md, Import), and far smaller to load.
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode, options: { hint?: boolean } = {}): NormalizedPhone {
  const text = raw.trim();
  if (!text) return { reason: 'phone is empty' };
  try {
    const phone = parsePhoneNumberWithError(text, defaultCountry);
    if (phone.ext) return { reason: `has an extension (${phone.ext}), which cannot be dialed` };
    if (phone.isValid()) return { e164: phone.number };
    const lengthProblem = validatePhoneNumberLength(text, defaultCountry);
    const where = phone.country ? ` for ${phone.country}` : ` for country code +${phone.countryCallingCode}`;
    const reason = lengthProblem ? `${reasons[lengthProblem] ?? lengthProblem}${where}` : `not a valid number${where}`;
    const hint = options.hint && isNationalIn(text, phone, defaultCountry) ? otherCountryHint(text, defaultCountry) : '';
    return { reason: reason + hint };
  } catch (error) {
    if (error instanceof ParseError) return { reason: reasons[error.message] ?? error.message };
    throw error;
  }
}

/**
 * Read as a national number of the default country (no `+`, no international prefix taking it
 * elsewhere), and long enough to be a subscriber's number: short codes like 12345 pass the loose
 * patterns of many countries, and a hint naming them would mislead.
 */
function isNationalIn(text: string, phone: PhoneNumber, defaultCountry: CountryCode): boolean {
  return !text.startsWith('+') && phone.countryCallingCode === getCountryCallingCode(defaultCountry) && text.replace(/\D/g, '').length >= 7;
}

const shownCountries = 5;

/** How many rejected numbers of one file get otherCountryHint: enough to be seen, bounded in cost (about 1 s). */
export const hintedRejectionsPerFile = 200;

/**
 * `; valid as a GB number: set the default country to GB` when the national number is valid in another
 * country, or `; valid as a number of CN, GB, IN, JP or NZ (and 16 more countries): set the default
 * country to the file's country` when it is valid in several, most likely first: written in that
 * country's national grouping, then a shorter calling code (larger countries), then by name. Empty
 * when it is valid nowhere else. Costs one parse per country (a few ms): the caller decides which rows
 * get it.
 */
export function otherCountryHint(text: string, defaultCountry: CountryCode): string {
  const grouping = (value: string) => value.replace(/[^0-9]+/g, ' ').trim();
  const written = grouping(text);
  const found = new Map<CountryCode, { sameGrouping: boolean; callingCode: string }>();
  for (const country of getCountries()) {
    if (country === defaultCountry) continue;
    let phone: PhoneNumber;
    try {
      phone = parsePhoneNumberWithError(text, country);
    } catch {
      continue;
    }
    if (phone.ext || !phone.isValid()) continue;
    // Countries sharing a calling code (GB, GG, IM, JE): the number belongs to the one its digits say.
    const owner = phone.country;
    if (owner === undefined || owner === defaultCountry || found.has(owner)) continue;
    found.set(owner, { sameGrouping: grouping(phone.formatNational()) === written, callingCode: phone.countryCallingCode });
  }
  const ranked = [...found.entries()]
    .sort(
      ([countryA, a], [countryB, b]) =>
        Number(b.sameGrouping) - Number(a.sameGrouping) || a.callingCode.length - b.callingCode.length || countryA.localeCompare(countryB),
    )
    .map(([country]) => country);
  if (ranked.length === 0) return '';
  if (ranked.length === 1) return `; valid as a ${ranked[0]} number: set the default country to ${ranked[0]}`;
  const shown = ranked.slice(0, shownCountries);
  const more = ranked.length - shown.length;
  const list = `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}${more > 0 ? ` (and ${more} more countr${more === 1 ? 'y' : 'ies'})` : ''}`;
  return `; valid as a number of ${list}: set the default country to the file's country`;
}
