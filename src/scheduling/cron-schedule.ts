import { CronExpressionParser } from 'cron-parser';
import { DialerError } from '../errors.ts';
import { isKnownTimezone } from '../calling-hours/contact-timezones.ts';

export interface CronSchedule {
  cron: string;
  /** IANA zone the cron expression is read in. */
  tz: string;
}

/**
 * Checks a cron expression and its zone, the way BullMQ will read them (BullMQ's job schedulers use
 * this same cron-parser): 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds
 * first. Refuses unknown zones, malformed expressions and ones that never fire, each with a reason.
 */
export function parseCronSchedule(cron: string, tz = 'UTC'): CronSchedule {
  const expression = cron.trim().replace(/\s+/g, ' ');
  if (!isKnownTimezone(tz)) throw new DialerError('invalid_input', `unknown time zone "${tz}" (use an IANA name such as America/New_York)`, 'tz');
  const fields = expression.split(' ').length;
  if (fields < 5 || fields > 6) {
    throw new DialerError(
      'invalid_input',
      `invalid cron expression "${cron}": expected 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields}`,
      'cron',
    );
  }
  const schedule = { cron: expression, tz };
  nextRuns(schedule, new Date(), 1);
  return schedule;
}

/** The next `count` run times after `after`. */
export function nextRuns(schedule: CronSchedule, after: Date, count: number): Date[] {
  const next = makeRunIterator(schedule, after);
  const runs: Date[] = [];
  for (let run = count > 0 ? next() : null; run; run = runs.length < count ? next() : null) runs.push(run);
  if (count > 0 && runs.length === 0) throw new DialerError('invalid_input', `cron expression "${schedule.cron}" never fires`, 'cron');
  return runs;
}

/** Successive run times after `after`, one per call; null when the expression fires no more. */
export function makeRunIterator(schedule: CronSchedule, after: Date): () => Date | null {
  let interval: ReturnType<typeof CronExpressionParser.parse>;
  try {
    interval = CronExpressionParser.parse(schedule.cron, { tz: schedule.tz, currentDate: after, strict: false });
  } catch (error) {
    throw new DialerError('invalid_input', `invalid cron expression "${schedule.cron}": ${(error as Error).message}`, 'cron');
  }
  return () => {
    try {
      return interval.next().toDate();
    } catch {
      return null; // past the expression's last run (hasNext() would compute the run twice)
    }
  };
}
