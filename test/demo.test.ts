import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DemoSummary } from '../src/demo/demo-summary.ts';
import { isCallingAllowed } from '../src/calling-hours/calling-window.ts';
import { contactTimezones } from '../src/calling-hours/contact-timezones.ts';
import { useTestDatabase } from './support/database.ts';
import { testProcessEnv } from './support/test-env.ts';

const db = useTestDatabase();
const finalStates = ['completed', 'no_answer', 'busy', 'failed', 'canceled', 'suppressed'];
const demoWindow = { start: '08:00', end: '21:00', days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] } as const;

let code: number;
let stderr: string;
let summary: DemoSummary;
let demoStartedAt: Date;

// One real run of `dialer demo --json`, exactly as `npm run demo` starts it, against this file's schema.
beforeAll(async () => {
  demoStartedAt = new Date();
  const env = testProcessEnv({ DATABASE_URL: db.url });
  try {
    const run = await promisify(execFile)('node', ['src/cli/bin.mjs', 'demo', '--json'], { env, timeout: 80_000 });
    [code, stderr, summary] = [0, run.stderr, JSON.parse(run.stdout) as DemoSummary];
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    [code, stderr] = [failed.code, failed.stderr];
  }
}, 90_000);

const campaignId = () => summary.campaign.id;

describe('dialer demo', () => {
  it('exits 0 once every contact is final or waiting for its calling window', async () => {
    expect(code, stderr).toBe(0);
    expect(summary.end).toBe('settled');
    const { rows } = await db.pool.query<{ state: string; next_attempt_at: string | null; attempt_count: number }>(
      `SELECT state, to_char(next_attempt_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_attempt_at, attempt_count FROM contact WHERE campaign_id = $1`,
      [campaignId()],
    );
    const waiting = rows.filter((row) => row.state === 'pending');
    expect(rows.filter((row) => !finalStates.includes(row.state) && row.state !== 'pending')).toEqual([]);
    for (const row of waiting) {
      expect(row.attempt_count).toBe(0);
      expect(new Date(row.next_attempt_at!).getTime()).toBeGreaterThan(demoStartedAt.getTime());
    }
    expect(waiting.length).toBe(summary.waiting.contacts);
    expect(summary.waiting.groups.reduce((sum, group) => sum + group.contacts, 0)).toBe(waiting.length);
  });

  it('reports the numbers Postgres holds', async () => {
    const states = await db.pool.query<{ state: string; count: number }>(
      `SELECT state, count(*)::int AS count FROM contact WHERE campaign_id = $1 GROUP BY state`,
      [campaignId()],
    );
    const nonZero = Object.fromEntries(Object.entries(summary.contacts.byState).filter(([, count]) => count > 0));
    expect(nonZero).toEqual(Object.fromEntries(states.rows.map((row) => [row.state, row.count])));
    const outcomes = await db.pool.query<{ outcome: string; count: number }>(
      `SELECT outcome, count(*)::int AS count FROM contact_result WHERE campaign_id = $1 AND state <> 'pending' GROUP BY outcome`,
      [campaignId()],
    );
    const nonZeroOutcomes = Object.fromEntries(Object.entries(summary.outcomes).filter(([, count]) => count > 0));
    expect(nonZeroOutcomes).toEqual(Object.fromEntries(outcomes.rows.map((row) => [row.outcome, row.count])));
    const dials = await db.pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM call_attempt WHERE campaign_id = $1`, [campaignId()]);
    expect(summary.dials).toBe(dials.rows[0]!.count);
    expect(summary.dials).toBeGreaterThan(0);
    // The example CSV's bad rows, duplicate and do-not-call number show up in the import summary.
    expect(summary.import).toMatchObject({ rejected: 4, duplicates: 1, suppressed: 1 });
    expect(summary.callbacks.refused).toBe(0);
    expect(['paused', 'completed']).toContain(summary.campaign.status);
  });

  it('dials every dialed contact exactly once, inside its calling window', async () => {
    const { rows } = await db.pool.query<{ phone: string; timezone: string | null; state: string; attempts: number; claimed_at: string | null }>(
      `SELECT c.phone, c.timezone, c.state, count(a.id)::int AS attempts,
              to_char(min(a.claimed_at), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS claimed_at
       FROM contact c LEFT JOIN call_attempt a ON a.contact_id = c.id WHERE c.campaign_id = $1 GROUP BY c.id`,
      [campaignId()],
    );
    for (const row of rows) {
      const dialed = row.state !== 'pending' && row.state !== 'suppressed';
      expect({ phone: row.phone, attempts: row.attempts }).toEqual({ phone: row.phone, attempts: dialed ? 1 : 0 });
      if (dialed) expect(isCallingAllowed(new Date(row.claimed_at!), demoWindow, contactTimezones(row.phone, row.timezone)), row.phone).toBe(true);
    }
  });

  it('reads what every answered call achieved and prints the goal rate and one sample transcript', async () => {
    expect(code, stderr).toBe(0);
    const { rows } = await db.pool.query<{ state: string; count: number }>(
      `SELECT state::text, count(*)::int AS count FROM call_conversation WHERE campaign_id = $1 GROUP BY state`,
      [campaignId()],
    );
    const answeredByPeople = await db.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM call_attempt WHERE campaign_id = $1 AND state = 'completed' AND (answered_by IS NULL OR answered_by = 'human')`,
      [campaignId()],
    );
    expect(rows).toEqual(answeredByPeople.rows[0]!.count > 0 ? [{ state: 'completed', count: answeredByPeople.rows[0]!.count }] : []);
    const talked = summary.conversations;
    expect(talked.read).toBe(answeredByPeople.rows[0]!.count);
    expect(talked.withGoalResult).toBe(talked.read);
    expect(talked.goalRate).toBe(talked.read ? Math.round((talked.goalMet / talked.read) * 1000) / 1000 : null);
    if (talked.read > 0) {
      expect(talked.sample!.lines).toHaveLength(12);
      expect(talked.sample!.lines[0]).toMatch(/^assistant: Hello \S+, this is the assistant of Lakeside Dental/);
    }
    expect(stderr).toContain('post-call work done');
  });
});
