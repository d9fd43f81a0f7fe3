import { getCountries } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { canonicalTimezone } from '../src/calling-hours/canonical-timezone.ts';
import { contactTimezones, isKnownTimezone } from '../src/calling-hours/contact-timezones.ts';
import { COUNTRY_ZONES, NANP_AREA_CODE_ZONES } from '../src/calling-hours/timezone-data.ts';

describe('contactTimezones', () => {
  it.each([
    ['New York City', '+12125551234', ['America/New_York']],
    ['Los Angeles', '+13105551234', ['America/Los_Angeles']],
    ['Honolulu', '+18085551234', ['Pacific/Honolulu']],
    ['Phoenix (no DST)', '+16025551234', ['America/Phoenix']],
    ['Florida panhandle spans Eastern and Central', '+18505551234', ['America/New_York', 'America/Chicago']],
    ['Toronto', '+14165551234', ['America/Toronto']],
    ['Newfoundland', '+17095551234', ['America/St_Johns', 'America/Goose_Bay']],
    ['Puerto Rico (own country in the NANP)', '+17875551234', ['America/Puerto_Rico']],
    ['Jamaica', '+18765551234', ['America/Jamaica']],
    ['United Kingdom', '+442079460000', ['Europe/London']],
    ['India', '+919876543210', ['Asia/Kolkata']],
    ['Nepal', '+9779841234567', ['Asia/Kathmandu']],
  ])('%s', (_name, phone, zones) => {
    expect(contactTimezones(phone, null)).toEqual(zones);
  });

  it('gives every zone of a multi-zone country (we cannot tell which one)', () => {
    expect(contactTimezones('+61412345678', null)).toEqual(COUNTRY_ZONES.AU);
    expect(contactTimezones('+79161234567', null)).toEqual(COUNTRY_ZONES.RU);
    expect(contactTimezones('+5511987654321', null)).toEqual(COUNTRY_ZONES.BR);
    expect(contactTimezones('+525512345678', null)).toEqual(COUNTRY_ZONES.MX);
  });

  it('gives every US zone for a US number whose area code is not geographic (toll-free)', () => {
    expect(contactTimezones('+18005551234', null)).toEqual(COUNTRY_ZONES.US);
    expect(COUNTRY_ZONES.US).toContain('Pacific/Honolulu');
  });

  it('gives every zone behind the calling code when no single country fits', () => {
    const zones = contactTimezones('+19995551234', null);
    for (const zone of ['America/New_York', 'America/Toronto', 'America/Jamaica', 'Pacific/Honolulu']) expect(zones).toContain(zone);
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('prefers the timezone column, in canonical spelling, when it names a real zone', () => {
    expect(contactTimezones('+12125551234', 'Europe/Paris')).toEqual(['Europe/Paris']);
    expect(contactTimezones('+12125551234', ' america/chicago ')).toEqual(['America/Chicago']);
  });

  it('gives aliases of one zone one name, the one the number data uses (Asia/Calcutta is Asia/Kolkata)', () => {
    expect(contactTimezones('+919876543210', null)).toEqual(['Asia/Kolkata']);
    for (const alias of ['Asia/Calcutta', 'Asia/Kolkata', 'asia/calcutta']) expect(contactTimezones('+919876543210', alias), alias).toEqual(['Asia/Kolkata']);
    expect(['Europe/Kiev', 'Europe/Kyiv'].map(canonicalTimezone)).toEqual(['Europe/Kyiv', 'Europe/Kyiv']);
    expect(['Asia/Saigon', 'Asia/Ho_Chi_Minh'].map(canonicalTimezone)).toEqual(['Asia/Ho_Chi_Minh', 'Asia/Ho_Chi_Minh']);
    expect(['US/Eastern', 'UTC', 'Etc/UTC', 'Mars/Olympus'].map(canonicalTimezone)).toEqual(['America/New_York', 'UTC', 'UTC', undefined]);
  });

  it('falls back to the number when the column is empty or not a zone', () => {
    expect(contactTimezones('+12125551234', '')).toEqual(['America/New_York']);
    expect(contactTimezones('+12125551234', 'Mars/Olympus_Mons')).toEqual(['America/New_York']);
    expect(contactTimezones('+12125551234', 'EST')).toEqual(['America/New_York']);
  });

  it('gives no zone for something that is not a phone number', () => {
    expect(contactTimezones('not a number', null)).toEqual([]);
  });

  it('isKnownTimezone accepts IANA names only', () => {
    expect(isKnownTimezone('Asia/Kathmandu')).toBe(true);
    expect(isKnownTimezone('UTC')).toBe(true);
    expect(isKnownTimezone('Nowhere/Special')).toBe(false);
    expect(isKnownTimezone('+05:30')).toBe(false);
  });
});

describe('time-zone data', () => {
  it('knows zones for every region a valid number can belong to (none is left uncallable for want of data)', () => {
    expect(getCountries().filter((region) => !COUNTRY_ZONES[region]?.length)).toEqual([]);
    expect(contactTimezones('+38344123456', null)).toEqual(['Europe/Belgrade']); // Kosovo
  });

  it('names only zones this runtime knows', () => {
    const zones = new Set([...Object.values(COUNTRY_ZONES).flat(), ...[...NANP_AREA_CODE_ZONES.values()].flat()]);
    expect([...zones].filter((zone) => !isKnownTimezone(zone))).toEqual([]);
  });

  it('maps area codes only to zones of the United States or Canada', () => {
    const northAmerica = new Set([...(COUNTRY_ZONES.US ?? []), ...(COUNTRY_ZONES.CA ?? [])]);
    const strays = [...NANP_AREA_CODE_ZONES].filter(([, zones]) => zones.some((zone) => !northAmerica.has(zone)));
    expect(strays).toEqual([]);
    expect(NANP_AREA_CODE_ZONES.size).toBeGreaterThan(390);
  });
});
