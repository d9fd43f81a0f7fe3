import { findNextCallTime, windowCloseTime, type CallingWindow } from '../calling-hours/calling-window.ts';
import { makeRunIterator, type CronSchedule } from './cron-schedule.ts';

/** Contacts still to dial that share one set of time zones (hence one calling window). */
export interface ZoneGroup {
  zones: string[];
  contacts: number;
}

export interface FinishEstimateInput {
  now: Date;
  groups: ZoneGroup[];
  callingWindow: CallingWindow;
  /** The campaign's pace, already capped by the account's. */
  callsPerSecond: number;
  maxConcurrentCalls: number;
  /** Assumed average time a call holds a concurrency slot (ringing + talking). */
  averageCallSeconds: number;
  /** Present when a cron schedule's first tick, not `dialer start`, starts the dialing. */
  schedule?: CronSchedule;
}

export interface FinishEstimate {
  /** When the last first-attempt call should end; null when some contacts can never be dialed or it is beyond the horizon. */
  finishAt: Date | null;
  /** Dials per second actually sustained: the pace, or fewer when concurrency is the limit. */
  effectiveCallsPerSecond: number;
  contactsToDial: number;
  /** Contacts whose window is never open in all their zones at once: never dialed. */
  neverCallable: number;
  /** Contacts still undialed a year from now: the pace and window leave too little time. */
  beyondHorizon: number;
}

const horizonMs = 366 * 24 * 3600 * 1000;

/**
 * Estimates when a campaign's remaining first attempts end, without I/O. Dials go out at the
 * sustained rate min(pace, maxConcurrentCalls / averageCallSeconds), shared among the zone groups whose
 * calling window is open. With a cron schedule nothing starts before the first tick; from then on the
 * run continues as each group's window opens (the tick handler's continuations). Retries are not included.
 */
export function estimateFinish(input: FinishEstimateInput): FinishEstimate {
  const rate = Math.min(input.callsPerSecond, input.maxConcurrentCalls / input.averageCallSeconds);
  const limit = input.now.getTime() + horizonMs;
  const groups = input.groups
    .filter((group) => group.contacts > 0)
    .map((group) => ({ ...group, remaining: group.contacts, callable: findNextCallTime(input.now, input.callingWindow, group.zones) !== null }));
  const neverCallable = groups.filter((group) => !group.callable).reduce((sum, group) => sum + group.contacts, 0);
  const live = groups.filter((group) => group.callable);
  const contactsToDial = groups.reduce((sum, group) => sum + group.contacts, 0);

  let t = input.schedule && live.length > 0 ? firstTickAtOrAfter(input.schedule, input.now.getTime()) : input.now.getTime();
  let lastDialAt = input.now.getTime();
  while (live.some((group) => group.remaining > 0) && t < limit) {
    const intervals = live.filter((group) => group.remaining > 0).map((group) => ({ group, ...openInterval(group.zones, t, input.callingWindow) }));
    const open = intervals.filter((interval) => interval.start <= t);
    const segmentEnd = Math.min(limit, ...intervals.map((interval) => (interval.start <= t ? interval.end : interval.start)));
    if (open.length === 0) {
      t = segmentEnd;
      continue;
    }
    const capacity = (rate * (segmentEnd - t)) / 1000;
    const openRemaining = open.reduce((sum, interval) => sum + interval.group.remaining, 0);
    if (openRemaining <= capacity) {
      for (const interval of open) interval.group.remaining = 0;
      t += (openRemaining / rate) * 1000;
    } else {
      for (const interval of open) interval.group.remaining -= (capacity * interval.group.remaining) / openRemaining;
      t = segmentEnd;
    }
    lastDialAt = t;
  }
  const beyondHorizon = Math.ceil(live.reduce((sum, group) => sum + group.remaining, 0));
  return {
    finishAt: neverCallable === 0 && beyondHorizon === 0 ? new Date(Math.ceil(lastDialAt + (contactsToDial > 0 ? input.averageCallSeconds * 1000 : 0))) : null,
    effectiveCallsPerSecond: rate,
    contactsToDial,
    neverCallable,
    beyondHorizon,
  };
}

// The window interval holding `at`, or the next one; [Infinity, Infinity] when none within two weeks.
function openInterval(zones: string[], at: number, window: CallingWindow): { start: number; end: number } {
  const start = findNextCallTime(new Date(at), window, zones);
  if (!start) return { start: Infinity, end: Infinity };
  return { start: start.getTime(), end: windowCloseTime(start, window, zones)?.getTime() ?? Infinity };
}

function firstTickAtOrAfter(schedule: CronSchedule, at: number): number {
  return makeRunIterator(schedule, new Date(at - 1))()?.getTime() ?? Infinity;
}
