import { ParseError, parsePhoneNumberWithError, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/min';

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
 * The E.164 form of a phone number as typed in a CSV, or why it cannot be dialed.
 * Uses libphonenumber-js's "min" metadata (each country's national number pattern): no slower than
 * "max" (BENCHMARKS.md, Import), and far smaller to load.
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode): NormalizedPhone {
  const text = raw.trim();
  if (!text) return { reason: 'phone is empty' };
  try {
    const phone = parsePhoneNumberWithError(text, defaultCountry);
    if (phone.ext) return { reason: `has an extension (${phone.ext}), which cannot be dialed` };
    if (phone.isValid()) return { e164: phone.number };
    const lengthProblem = validatePhoneNumberLength(text, defaultCountry);
    const where = phone.country ? ` for ${phone.country}` : ` for country code +${phone.countryCallingCode}`;
    return { reason: lengthProblem ? `${reasons[lengthProblem] ?? lengthProblem}${where}` : `not a valid number${where}` };
  } catch (error) {
    if (error instanceof ParseError) return { reason: reasons[error.message] ?? error.message };
    throw error;
  }
}
