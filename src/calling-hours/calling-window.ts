import { DialerError } from '../errors.ts';

/**
 * When a contact may be called. Pure: the clock is an argument, no I/O.
 *
 * The campaign's window (local HH:MM start/end and weekdays) applies in the contact's own time, and is
 * always narrowed to 08:00-21:00 local whatever the config says. A number that may be in several zones
 * may be called only when the window is open in ALL of them. Start is inclusive, end exclusive.
 */
export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

/** Same shape as CampaignConfig['callingWindow']. */
export interface CallingWindow {
  start: string;
  end: string;
  days: readonly Weekday[];
}

/** The lawful outer bounds of any calling window, in local time (minutes after midnight). */
const earliestLocalMinute = 8 * 60;
const latestLocalMinute = 21 * 60;

// Two weeks covers every weekday pattern twice, and the weeks when two zones' DST rules disagree.
const searchHorizonMs = 15 * 24 * 3600 * 1000;

// A feeder batch asks the same question (same now, window, zones) for many contacts: remember answers.
const answers = new Map<string, number | null>();
const answersKept = 4096;

/**
 * `now` when calling is allowed now in every zone, else the earliest instant when it is; null when no
 * instant in the next 15 days is allowed in all of them (e.g. a 3-hour window for a number that may be
 * in Hawaii or New York) or no zone is known. Throws DialerError for a malformed window or unknown zone.
 */
export function findNextCallTime(now: Date, window: CallingWindow, zones: readonly string[]): Date | null {
  const key = `${now.getTime()}|${window.start}|${window.end}|${window.days.join(',')}|${zones.join(',')}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    answer = searchNextCallTime(now, window, zones);
    if (answers.size >= answersKept) answers.clear();
    answers.set(key, answer);
  }
  return answer === null ? null : new Date(answer);
}

function searchNextCallTime(now: Date, window: CallingWindow, zones: readonly string[]): number | null {
  // No known zone: no instant can be shown to be lawful there.
  if (zones.length === 0) return null;
  const bounds = clampedMinutes(window);
  if (!bounds || window.days.length === 0) return null;
  const days = new Set(window.days);
  const limit = now.getTime() + searchHorizonMs;
  // Each zone's allowed time is a union of intervals; jumping to the latest of the zones' next openings
  // never skips an instant allowed in all of them, so the first fixed point is the earliest one.
  let candidate = now.getTime();
  while (candidate <= limit) {
    const openings = zones.map((zone) => nextOpeningInZone(candidate, zone, bounds, days));
    const latest = Math.max(...openings);
    if (latest === candidate) return candidate;
    candidate = latest;
  }
  return null;
}

/** Whether calling is allowed at `now` in every zone. */
export function isCallingAllowed(now: Date, window: CallingWindow, zones: readonly string[]): boolean {
  return findNextCallTime(now, window, zones)?.getTime() === now.getTime();
}

/**
 * When the window closes again, given it is open at `openAt` in every zone: the earliest of the
 * zones' local closing times that day. Null when it is not open at `openAt`.
 */
export function windowCloseTime(openAt: Date, window: CallingWindow, zones: readonly string[]): Date | null {
  if (!isCallingAllowed(openAt, window, zones)) return null;
  const bounds = clampedMinutes(window);
  if (!bounds) return null;
  const closings = zones.map((zone) => instantOfLocal(utcDay(localParts(openAt.getTime(), zone)) + bounds.end * 60_000, zone));
  return new Date(Math.min(...closings));
}

/** The window in local minutes after the 08:00-21:00 clamp; null when nothing is left of it. */
function clampedMinutes(window: CallingWindow): { start: number; end: number } | null {
  const start = Math.max(parseClock(window.start, 'callingWindow.start'), earliestLocalMinute);
  const end = Math.min(parseClock(window.end, 'callingWindow.end'), latestLocalMinute);
  return start < end ? { start, end } : null;
}

function parseClock(text: string, field: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new DialerError('invalid_config', `${field} must be HH:MM (24-hour), got "${text}"`, field);
  return Number(match[1]) * 60 + Number(match[2]);
}

// The instant itself when allowed in this zone, else the zone's next window opening after it.
function nextOpeningInZone(instant: number, zone: string, bounds: { start: number; end: number }, days: ReadonlySet<Weekday>): number {
  const local = localParts(instant, zone);
  const minute = local.hour * 60 + local.minute + local.second / 60;
  const today = utcDay(local);
  if (days.has(weekdayOf(today)) && minute >= bounds.start && minute < bounds.end) return instant;
  for (let offset = minute < bounds.start ? 0 : 1; offset <= 8; offset++) {
    const day = today + offset * 86_400_000;
    if (!days.has(weekdayOf(day))) continue;
    const opening = instantOfLocal(day + bounds.start * 60_000, zone);
    if (opening > instant) return opening;
  }
  return Number.POSITIVE_INFINITY;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new DialerError('invalid_input', `unknown time zone "${zone}"`, 'timezone');
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

function localParts(instant: number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

// Local wall-clock fields encoded as if they were UTC: lets plain arithmetic walk local days.
function utcDay(local: LocalParts): number {
  return Date.UTC(local.year, local.month - 1, local.day);
}

function weekdayOf(utcDayMs: number): Weekday {
  return weekdays[new Date(utcDayMs).getUTCDay()] as Weekday;
}

function offsetAt(instant: number, zone: string): number {
  const local = localParts(instant, zone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

// The instant a local wall-clock time (encoded as UTC) happens in `zone`. In a DST gap the wall time
// does not exist: take the instant just after the gap (the clocks' jump), which is the later reading.
function instantOfLocal(wall: number, zone: string): number {
  const firstGuess = wall - offsetAt(wall, zone);
  const offset = offsetAt(firstGuess, zone);
  const instant = wall - offset;
  const check = offsetAt(instant, zone);
  return check === offset ? instant : Math.max(instant, wall - check);
}
