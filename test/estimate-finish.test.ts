import { describe, expect, it } from 'vitest';
import type { CallingWindow } from '../src/calling-hours/calling-window.ts';
import { estimateFinish, type FinishEstimateInput } from '../src/scheduling/estimate-finish.ts';

const everyDay: CallingWindow = { start: '09:00', end: '20:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] };
const weekdays: CallingWindow = { ...everyDay, days: ['mon', 'tue', 'wed', 'thu', 'fri'] };
const newYork = ['America/New_York'];
// 2026-11-25 is a Wednesday; New York is UTC-5 then.
const base: FinishEstimateInput = {
  now: new Date('2026-11-25T15:00:00Z'),
  groups: [{ zones: newYork, contacts: 600 }],
  callingWindow: everyDay,
  callsPerSecond: 10,
  maxConcurrentCalls: 10_000,
  averageCallSeconds: 90,
};
const finish = (input: Partial<FinishEstimateInput>) => estimateFinish({ ...base, ...input });

describe('estimateFinish', () => {
  it('pace-bound: contacts / callsPerSecond, plus one average call', () => {
    const estimate = finish({});
    expect(estimate).toMatchObject({ effectiveCallsPerSecond: 10, contactsToDial: 600, neverCallable: 0, beyondHorizon: 0 });
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-25T15:02:30.000Z'); // 60 s of dialing + 90 s
  });

  it('concurrency-bound: maxConcurrentCalls / averageCallSeconds dials per second', () => {
    const estimate = finish({ maxConcurrentCalls: 5, averageCallSeconds: 100, groups: [{ zones: newYork, contacts: 10 }] });
    expect(estimate.effectiveCallsPerSecond).toBe(0.05);
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-25T15:05:00.000Z'); // 200 s + 100 s
  });

  it('stops at the window end and resumes at the next opening', () => {
    // 19:50 New York: 600 dials fit before 20:00 at 1/s, the other 600 go the next morning from 09:00.
    const estimate = finish({ now: new Date('2026-11-26T00:50:00Z'), callsPerSecond: 1, groups: [{ zones: newYork, contacts: 1200 }] });
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-26T14:11:30.000Z');
  });

  it('waits for the window to open in every zone of a group, and skips the weekend', () => {
    // Friday 20:30 New York: closed; the pair's window (12:00-20:00 New York) opens again Monday 09:00 Los Angeles.
    const estimate = finish({
      now: new Date('2026-11-28T01:30:00Z'),
      callingWindow: weekdays,
      groups: [{ zones: ['America/New_York', 'America/Los_Angeles'], contacts: 60 }],
      callsPerSecond: 1,
    });
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-30T17:02:30.000Z');
  });

  it('with a cron schedule: nothing before the first tick, then the run continues as windows open', () => {
    const schedule = { cron: '0 19 * * *', tz: 'America/New_York' };
    // Tick at 19:00 New York; one hour of window left at 0.1/s = 360 dials; the other 140 from 09:00 the next day.
    const estimate = finish({ schedule, callsPerSecond: 0.1, groups: [{ zones: newYork, contacts: 500 }] });
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-26T14:24:50.000Z'); // 09:00 + 1400 s + 90 s
  });

  it('with a cron schedule: a group whose window is closed at the tick is dialed when it opens', () => {
    const schedule = { cron: '0 10 * * *', tz: 'America/New_York' };
    // 10:00 New York is 05:00 in Honolulu: that group goes at 09:00 there (19:00 UTC).
    const estimate = finish({
      schedule,
      groups: [
        { zones: newYork, contacts: 10 },
        { zones: ['Pacific/Honolulu'], contacts: 10 },
      ],
    });
    expect(estimate.finishAt?.toISOString()).toBe('2026-11-25T19:01:31.000Z');
  });

  it('reports groups whose window is never open in all their zones, and an empty campaign finishes now', () => {
    const shortWindow = { ...everyDay, start: '09:00', end: '12:00' };
    expect(finish({ callingWindow: shortWindow, groups: [{ zones: ['Pacific/Honolulu', 'America/New_York'], contacts: 3 }] })).toMatchObject({
      finishAt: null,
      neverCallable: 3,
      contactsToDial: 3,
    });
    expect(finish({ groups: [] }).finishAt?.toISOString()).toBe(base.now.toISOString());
  });
});
