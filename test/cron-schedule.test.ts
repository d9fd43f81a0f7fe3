import { describe, expect, it } from 'vitest';
import { nextRuns, parseCronSchedule } from '../src/scheduling/cron-schedule.ts';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('cron schedules', () => {
  it('reads the expression in its zone: weekdays at 09:00 New York', () => {
    const schedule = parseCronSchedule('0 9 * * 1-5', 'America/New_York');
    // 2026-11-25 is a Wednesday.
    expect(iso(nextRuns(schedule, new Date('2026-11-25T12:00:00Z'), 4))).toEqual([
      '2026-11-25T14:00:00.000Z',
      '2026-11-26T14:00:00.000Z',
      '2026-11-27T14:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
    ]);
  });

  it('keeps local time across a DST change (New York falls back on 2026-11-01)', () => {
    expect(iso(nextRuns(parseCronSchedule('0 9 * * *', 'America/New_York'), new Date('2026-10-31T12:00:00Z'), 2))).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
    ]);
  });

  it('defaults to UTC, accepts a seconds field and normalises spacing', () => {
    const schedule = parseCronSchedule('  */30   *  * * * * ');
    expect(schedule).toEqual({ cron: '*/30 * * * * *', tz: 'UTC' });
    expect(iso(nextRuns(schedule, new Date('2026-11-25T12:00:10Z'), 2))).toEqual(['2026-11-25T12:00:30.000Z', '2026-11-25T12:01:00.000Z']);
  });

  it('refuses malformed expressions, impossible dates and unknown zones, saying why', () => {
    expect(() => parseCronSchedule('every day')).toThrow(
      'invalid cron expression "every day": expected 5 fields (minute hour day month weekday) or 6 (seconds first), got 2',
    );
    expect(() => parseCronSchedule('61 * * * *')).toThrow(/^invalid cron expression "61 \* \* \* \*": .*61/);
    expect(() => parseCronSchedule('0 9 * * mon-fry')).toThrow(/^invalid cron expression "0 9 \* \* mon-fry"/);
    expect(() => parseCronSchedule('0 0 30 2 *')).toThrow(/^invalid cron expression "0 0 30 2 \*"/);
    expect(() => parseCronSchedule('0 9 * * *', 'Mars/Olympus_Mons')).toThrow(
      'unknown time zone "Mars/Olympus_Mons" (use an IANA name such as America/New_York)',
    );
    expect(() => parseCronSchedule('0 9 * * *', 'EST')).toThrow(/unknown time zone "EST"/);
  });
});
