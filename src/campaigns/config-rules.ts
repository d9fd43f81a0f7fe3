import { isSupportedCountry, isValidPhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';

/**
 * Field builders for the campaign config schema. Each takes the rule in words, so every refusal reads
 * "<field>: <rule broken>" whatever was wrong (type, range, format). Messages never quote the value
 * (it may be a secret); only list items we name as unknown (events, codecs) are echoed.
 */

/** The message for any issue of one field; a wrong JSON type also says what was given, never its value. */
export function ruleError(rule: string) {
  return (issue: { code?: string; input?: unknown }): string | undefined => {
    // Worded per key by listConfigIssues.
    if (issue.code === 'unrecognized_keys' || issue.code === 'invalid_key') return undefined;
    if (issue.code !== 'invalid_type') return rule;
    if (issue.input === undefined) return `is required: ${rule}`;
    return `${rule} (got ${describeJsonType(issue.input)})`;
  };
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  return `a ${typeof value}`;
}

export function integerIn(min: number, max: number, rule: string) {
  const error = ruleError(rule);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: ruleError(`must be one of ${values.join(', ')}`) });
}

export const httpMethod = () => oneOf(['GET', 'POST']);

export function booleanFlag() {
  return z.boolean({ error: ruleError('must be true or false') });
}

/** A string with a pattern; `rule` explains the pattern in words. */
export function patterned(pattern: RegExp, rule: string) {
  const error = ruleError(rule);
  return z.string({ error }).regex(pattern, { error });
}

export function nonEmptyText(rule = 'must be a non-empty string') {
  const error = ruleError(rule);
  return z.string({ error }).trim().min(1, { error });
}

export function httpUrl() {
  return z.url({ protocol: /^https?$/, error: ruleError('must be an http:// or https:// URL') });
}

export function httpUrlList() {
  return z
    .array(httpUrl(), { error: ruleError('must be an array of http:// or https:// URLs') })
    .superRefine((urls, ctx) => refuseDuplicates(urls, ctx, 'URL'));
}

function refuseDuplicates(items: readonly string[], ctx: z.RefinementCtx, noun: string): void {
  items.forEach((item, index) => {
    if (items.indexOf(item) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `repeats an earlier ${noun}` });
  });
}

export function uniqueListOf<const Values extends readonly [string, ...string[]]>(values: Values, minItems: number) {
  const rule = `must be a list of distinct values from ${values.join(', ')}${minItems ? `, at least ${minItems}` : ''}`;
  return z
    .array(z.enum(values, { error: ruleError(`must be one of ${values.join(', ')}`) }), { error: ruleError(rule) })
    .min(minItems, { error: rule })
    .superRefine((items, ctx) => refuseDuplicates(items, ctx, 'value'));
}

/**
 * A space-separated list of names, as Telnyx takes its callback event lists. Each name is checked,
 * duplicates are refused, and names listed in `required` must all be present.
 */
export function spaceSeparated(allowed: readonly string[], required: readonly string[] = [], why = '') {
  return z
    .string({ error: ruleError(`must be a space-separated list of: ${allowed.join(' ')}`) })
    .superRefine((text, ctx) => {
      const names = text.trim().split(/\s+/).filter(Boolean);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: `must list at least one of: ${allowed.join(' ')}` });
      const unknown = names.filter((name) => !allowed.includes(name));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown ${plural(unknown, 'name')} ${quoteAll(unknown)} (allowed: ${allowed.join(' ')})` });
      const repeated = names.filter((name, index) => names.indexOf(name) !== index);
      if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists ${quoteAll([...new Set(repeated)])} more than once` });
      const missing = required.filter((name) => !names.includes(name));
      if (missing.length) ctx.addIssue({ code: 'custom', message: `must include ${missing.join(' ')}${why}` });
    })
    .transform((text) => text.trim().split(/\s+/).join(' '));
}

/** A comma-separated list from a known vocabulary, compared case-insensitively and normalised to upper case. */
export function commaSeparated(allowed: readonly string[], noun: string) {
  return z
    .string({ error: ruleError(`must be a comma-separated list of ${noun}s (${allowed.join(', ')})`) })
    .transform((text) => text.split(',').map((name) => name.trim().toUpperCase()))
    .superRefine((names, ctx) => {
      if (names.some((name) => name === ''))
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${noun}s with no empty entries (e.g. ${allowed.slice(0, 2).join(',')})` });
      const unknown = names.filter((name) => name !== '' && !allowed.includes(name));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown ${plural(unknown, noun)} ${quoteAll(unknown)} (known: ${allowed.join(', ')})` });
      const repeated = names.filter((name, index) => name !== '' && names.indexOf(name) !== index);
      if (repeated.length) ctx.addIssue({ code: 'custom', message: `lists ${quoteAll([...new Set(repeated)])} more than once` });
    })
    .transform((names) => names.join(','));
}

const e164Pattern = /^\+[1-9]\d{6,14}$/;

/** A dialable number written in E.164 (+, country code, digits only), valid for its country's numbering plan. */
export function e164Number() {
  const rule = 'must be a phone number in E.164 form: +, country code and number, digits only (e.g. +13125550123)';
  return z.string({ error: ruleError(rule) }).superRefine((value, ctx) => {
    if (e164Pattern.test(value) && isValidPhoneNumber(value)) return;
    const parsed = parsePhoneNumberFromString(value);
    const suggestion = parsed?.isValid() && parsed.number !== value ? ` (did you mean ${parsed.number}?)` : '';
    const reason = e164Pattern.test(value) ? 'is not a valid number for its country: must be a dialable phone number in E.164 form' : rule;
    ctx.addIssue({ code: 'custom', message: `${reason}${suggestion}` });
  });
}

export function countryCode() {
  const rule = 'must be an upper-case ISO 3166-1 alpha-2 country code with a known numbering plan (e.g. US, GB, DE)';
  return z.string({ error: ruleError(rule) }).refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), { error: rule });
}

const clockTimePattern = /^([01]\d|2[0-3]):[0-5]\d$/;

/** "HH:MM" on a 24-hour clock, 00:00 to 23:59. */
export function clockTime() {
  return patterned(clockTimePattern, 'must be a time of day as HH:MM, from 00:00 to 23:59');
}

export function isClockTime(text: string): boolean {
  return clockTimePattern.test(text);
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

function plural(items: readonly unknown[], noun: string): string {
  return items.length === 1 ? noun : `${noun}s`;
}
