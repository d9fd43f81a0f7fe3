import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.ts';
import type { ProgressLine } from './progress-line.ts';

/** One conversation of the demo, as its summary shows it. */
export interface SampleTranscript {
  phone: string;
  goalMet: boolean | null;
  /** `role: text`, in spoken order. */
  lines: string[];
}

/**
 * Waits until the post-call work has read every call of the campaign answered by a person (finished, or
 * timed out), at most `timeoutMs`; returns how many are still being read.
 */
export async function waitForConversations(
  app: App,
  campaignId: string,
  options: { timeoutMs: number; signal: AbortSignal; progress: ProgressLine },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const { rows } = await app.pool.query<{ left: number }>(
      `SELECT count(*)::int AS left FROM call_attempt a LEFT JOIN call_conversation cc ON cc.attempt_id = a.id
        WHERE a.campaign_id = $1 AND a.state = 'completed'
          AND (a.answered_by IS NULL OR (a.answered_by NOT LIKE 'machine%' AND a.answered_by <> 'fax'))
          AND (cc.attempt_id IS NULL OR cc.state = 'pending')`,
      [campaignId],
    );
    const left = rows[0]?.left ?? 0;
    if (left === 0 || Date.now() >= deadline || options.signal.aborted) return left;
    options.progress.update(`reading transcripts and insights: ${left} answered call(s) left`);
    await sleep(250, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** One read transcript of the campaign, a call that met its goal when there is one. */
export async function readSampleTranscript(app: App, campaignId: string): Promise<SampleTranscript | null> {
  const { rows } = await app.pool.query<{ phone: string; goal_met: boolean | null; transcript: { role: string; text: string }[] }>(
    `SELECT c.phone, cc.goal_met, cc.transcript FROM call_conversation cc JOIN contact c ON c.id = cc.contact_id
      WHERE cc.campaign_id = $1 AND cc.transcript IS NOT NULL
      ORDER BY cc.goal_met DESC NULLS LAST, c.phone LIMIT 1`,
    [campaignId],
  );
  const row = rows[0];
  return row ? { phone: row.phone, goalMet: row.goal_met, lines: row.transcript.map((message) => `${message.role}: ${message.text}`) } : null;
}
