import { describe, expect, it } from 'vitest';
import { findNextCallTime, isCallingAllowed, windowCloseTime, type CallingWindow } from '../src/calling-hours/calling-window.ts';
import { isDialerError } from '../src/errors.ts';

const weekdays: CallingWindow = { start: '09:00', end: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] };
const everyDay: CallingWindow = { ...weekdays, days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };

// 2026 DST: US Mar 8 / Nov 1; EU Mar 29 / Oct 25; Australia ends Apr 5, starts Oct 4. 2026-11-25 is a Wednesday.
const cases: Array<{ name: string; now: string; window: CallingWindow; zones: string[]; expected: string }> = [
  { name: 'inside the window: now', now: '2026-11-25T15:00:00.000Z', window: weekdays, zones: ['America/New_York'], expected: '2026-11-25T15:00:00.000Z' },
  {
    name: 'before opening: today 09:00 EST',
    now: '2026-11-25T12:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-25T14:00:00.000Z',
  },
  {
    name: 'at closing (end exclusive): next morning',
    now: '2026-11-26T01:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-26T14:00:00.000Z',
  },
  {
    name: 'one second before closing: now',
    now: '2026-11-26T00:59:59.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-26T00:59:59.000Z',
  },
  {
    name: 'Friday evening: Monday morning',
    now: '2026-11-28T02:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-30T14:00:00.000Z',
  },
  {
    name: 'Saturday noon: Monday morning',
    now: '2026-11-28T17:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-30T14:00:00.000Z',
  },
  {
    name: 'Saturdays only',
    now: '2026-11-25T15:00:00.000Z',
    window: { ...weekdays, days: ['sat'] },
    zones: ['America/New_York'],
    expected: '2026-11-28T14:00:00.000Z',
  },
  // DST, northern hemisphere
  {
    name: 'New York spring forward: 09:00 EDT on the change day',
    now: '2026-03-08T05:00:00.000Z',
    window: everyDay,
    zones: ['America/New_York'],
    expected: '2026-03-08T13:00:00.000Z',
  },
  {
    name: 'New York spring forward across a weekend',
    now: '2026-03-07T02:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-03-09T13:00:00.000Z',
  },
  {
    name: 'New York fall back: 09:00 EST on the change day',
    now: '2026-11-01T05:00:00.000Z',
    window: everyDay,
    zones: ['America/New_York'],
    expected: '2026-11-01T14:00:00.000Z',
  },
  {
    name: 'New York fall back across a weekend',
    now: '2026-10-31T01:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York'],
    expected: '2026-11-02T14:00:00.000Z',
  },
  {
    name: 'London spring forward: 09:00 BST',
    now: '2026-03-29T00:30:00.000Z',
    window: everyDay,
    zones: ['Europe/London'],
    expected: '2026-03-29T08:00:00.000Z',
  },
  { name: 'London fall back: 09:00 GMT', now: '2026-10-25T00:00:00.000Z', window: everyDay, zones: ['Europe/London'], expected: '2026-10-25T09:00:00.000Z' },
  // DST, southern hemisphere
  {
    name: 'Sydney DST ends (April): 09:00 AEST',
    now: '2026-04-04T14:00:00.000Z',
    window: everyDay,
    zones: ['Australia/Sydney'],
    expected: '2026-04-04T23:00:00.000Z',
  },
  {
    name: 'Sydney DST starts (October): 09:00 AEDT',
    now: '2026-10-03T15:00:00.000Z',
    window: everyDay,
    zones: ['Australia/Sydney'],
    expected: '2026-10-03T22:00:00.000Z',
  },
  // Half-hour and 45-minute offsets
  { name: 'Kolkata +05:30 before opening', now: '2026-11-25T02:00:00.000Z', window: weekdays, zones: ['Asia/Kolkata'], expected: '2026-11-25T03:30:00.000Z' },
  { name: 'Kolkata +05:30 at closing', now: '2026-11-25T14:30:00.000Z', window: weekdays, zones: ['Asia/Kolkata'], expected: '2026-11-26T03:30:00.000Z' },
  {
    name: 'Kolkata +05:30 just before closing',
    now: '2026-11-25T14:29:00.000Z',
    window: weekdays,
    zones: ['Asia/Kolkata'],
    expected: '2026-11-25T14:29:00.000Z',
  },
  { name: 'Kathmandu +05:45', now: '2026-11-25T03:14:00.000Z', window: weekdays, zones: ['Asia/Kathmandu'], expected: '2026-11-25T03:15:00.000Z' },
  {
    name: 'Adelaide +10:30 (summer), next local day',
    now: '2026-11-25T21:00:00.000Z',
    window: weekdays,
    zones: ['Australia/Adelaide'],
    expected: '2026-11-25T22:30:00.000Z',
  },
  { name: 'Adelaide +09:30 (winter)', now: '2026-07-14T20:00:00.000Z', window: weekdays, zones: ['Australia/Adelaide'], expected: '2026-07-14T23:30:00.000Z' },
  { name: "St John's -03:30 (winter)", now: '2026-11-25T12:00:00.000Z', window: weekdays, zones: ['America/St_Johns'], expected: '2026-11-25T12:30:00.000Z' },
  { name: "St John's -02:30 (summer)", now: '2026-07-15T10:00:00.000Z', window: weekdays, zones: ['America/St_Johns'], expected: '2026-07-15T11:30:00.000Z' },
  // The 08:00-21:00 clamp
  {
    name: 'clamp: 06:00 start becomes 08:00',
    now: '2026-11-25T11:30:00.000Z',
    window: { ...everyDay, start: '06:00', end: '23:00' },
    zones: ['America/New_York'],
    expected: '2026-11-25T13:00:00.000Z',
  },
  {
    name: 'clamp: 23:00 end becomes 21:00',
    now: '2026-11-26T02:00:00.000Z',
    window: { ...everyDay, start: '06:00', end: '23:00' },
    zones: ['America/New_York'],
    expected: '2026-11-26T13:00:00.000Z',
  },
  {
    name: 'clamp: 20:59 is still allowed',
    now: '2026-11-26T01:59:00.000Z',
    window: { ...everyDay, start: '06:00', end: '23:00' },
    zones: ['America/New_York'],
    expected: '2026-11-26T01:59:00.000Z',
  },
  // Several zones: the window must hold in all of them
  {
    name: 'New York + Los Angeles: waits for 09:00 Pacific',
    now: '2026-11-25T14:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York', 'America/Los_Angeles'],
    expected: '2026-11-25T17:00:00.000Z',
  },
  {
    name: 'New York + Los Angeles: closes at 20:00 Eastern',
    now: '2026-11-26T01:00:00.000Z',
    window: weekdays,
    zones: ['America/New_York', 'America/Los_Angeles'],
    expected: '2026-11-26T17:00:00.000Z',
  },
  {
    name: 'Honolulu + Kiritimati (a day apart): only days that are weekdays in both',
    now: '2026-11-27T20:00:00.000Z',
    window: weekdays,
    zones: ['Pacific/Honolulu', 'Pacific/Kiritimati'],
    expected: '2026-11-30T19:00:00.000Z',
  },
  {
    name: 'Chicago + New York with a 2-hour window: overlap of one hour',
    now: '2026-11-25T13:00:00.000Z',
    window: { ...weekdays, start: '09:00', end: '11:00' },
    zones: ['America/Chicago', 'America/New_York'],
    expected: '2026-11-25T15:00:00.000Z',
  },
];

describe('findNextCallTime', () => {
  it.each(cases)('$name', ({ now, window, zones, expected }) => {
    expect(findNextCallTime(new Date(now), window, zones)?.toISOString()).toBe(expected);
  });

  it('returns the very same instant (milliseconds kept) when allowed now', () => {
    const now = new Date('2026-11-25T15:00:00.123Z');
    expect(findNextCallTime(now, weekdays, ['America/New_York'])?.getTime()).toBe(now.getTime());
    expect(isCallingAllowed(now, weekdays, ['America/New_York'])).toBe(true);
    expect(isCallingAllowed(new Date('2026-11-25T13:59:59.999Z'), weekdays, ['America/New_York'])).toBe(false);
  });

  it('refuses a window that can never hold in Hawaii and New York at once', () => {
    const shortWindow = { ...everyDay, start: '09:00', end: '12:00' };
    expect(findNextCallTime(new Date('2026-11-25T15:00:00Z'), shortWindow, ['Pacific/Honolulu', 'America/New_York'])).toBeNull();
  });

  it('refuses windows past midnight and windows entirely outside 08:00-21:00', () => {
    const now = new Date('2026-11-25T15:00:00Z');
    expect(findNextCallTime(now, { ...everyDay, start: '20:00', end: '02:00' }, ['Europe/Paris'])).toBeNull();
    expect(findNextCallTime(now, { ...everyDay, start: '21:00', end: '23:30' }, ['Europe/Paris'])).toBeNull();
    expect(findNextCallTime(now, { ...everyDay, start: '05:00', end: '07:59' }, ['Europe/Paris'])).toBeNull();
    expect(findNextCallTime(now, { ...everyDay, days: [] }, ['Europe/Paris'])).toBeNull();
  });

  it('names bad input: malformed clock, unknown zone, no zone', () => {
    const now = new Date('2026-11-25T15:00:00Z');
    expect(() => findNextCallTime(now, { ...weekdays, start: '9am' }, ['Europe/Paris'])).toThrow('callingWindow.start must be HH:MM (24-hour), got "9am"');
    expect(() => findNextCallTime(now, weekdays, ['Mars/Olympus_Mons'])).toThrow('unknown time zone "Mars/Olympus_Mons"');
    expect(findNextCallTime(now, weekdays, [])).toBeNull();
    try {
      findNextCallTime(now, weekdays, ['Mars/Olympus_Mons']);
    } catch (error) {
      expect(isDialerError(error, 'invalid_input')).toBe(true);
    }
  });

  // Cross-check against an independent reading of local time, over many instants and zone sets:
  // the answer is allowed in every zone, and the minute before it is not (unless it is `now`).
  it('agrees with an independent local-time check on 2,000 pseudo-random instants', () => {
    const zoneSets = [
      ['America/New_York'],
      ['Australia/Lord_Howe'],
      ['Asia/Kathmandu', 'Europe/London'],
      ['America/Los_Angeles', 'America/St_Johns'],
      ['Pacific/Chatham', 'Pacific/Auckland'],
      ['Europe/Berlin', 'America/Chicago'],
    ];
    const window: CallingWindow = { start: '08:30', end: '19:15', days: ['mon', 'wed', 'thu', 'sat'] };
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      const now = new Date(start + Math.floor(random() * 365 * 86_400) * 1000);
      const zones = zoneSets[i % zoneSets.length] as string[];
      const answer = findNextCallTime(now, window, zones)!;
      expect(answer.getTime()).toBeGreaterThanOrEqual(now.getTime());
      expect(zones.every((zone) => allowedByIntl(answer, zone, window))).toBe(true);
      if (answer.getTime() !== now.getTime()) {
        const minuteBefore = new Date(answer.getTime() - 60_000);
        expect(minuteBefore >= now && zones.every((zone) => allowedByIntl(minuteBefore, zone, window))).toBe(false);
      }
    }
  });
});

function allowedByIntl(instant: Date, zone: string, window: CallingWindow): boolean {
  const text = instant.toLocaleString('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const [weekday = '', clock = ''] = text.split(' ');
  const [hour = 0, minute = 0] = clock.split(':').map(Number);
  const localMinute = hour * 60 + minute;
  const [startHour = 0, startMinute = 0] = window.start.split(':').map(Number);
  const [endHour = 0, endMinute = 0] = window.end.split(':').map(Number);
  return (
    window.days.includes(weekday.toLowerCase().slice(0, 3) as CallingWindow['days'][number]) &&
    localMinute >= Math.max(startHour * 60 + startMinute, 480) &&
    localMinute < Math.min(endHour * 60 + endMinute, 1260)
  );
}

describe('windowCloseTime', () => {
  it('is the earliest local closing among the zones, or null when closed', () => {
    expect(windowCloseTime(new Date('2026-11-25T18:00:00Z'), weekdays, ['America/New_York', 'America/Los_Angeles'])?.toISOString()).toBe(
      '2026-11-26T01:00:00.000Z',
    );
    expect(windowCloseTime(new Date('2026-11-25T03:30:00Z'), weekdays, ['Asia/Kolkata'])?.toISOString()).toBe('2026-11-25T14:30:00.000Z');
    expect(windowCloseTime(new Date('2026-11-25T12:00:00Z'), weekdays, ['America/New_York'])).toBeNull();
  });
});
