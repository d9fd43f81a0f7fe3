import type pg from 'pg';
import { nowUtcSql } from '../db/sql-time.ts';

/** The results a `call.conversation_insights.generated` webhook carries. */
export interface InsightsWebhook {
  callControlId: string;
  results: { insightId: string; result: string }[];
  /** The whole body as received, kept. */
  payload: unknown;
}

export type InsightsWebhookOutcome = 'recorded' | 'unknown_call' | 'not_wanted';

/**
 * Keeps an insight group's webhook on the conversation of the call it names (by call_control_id, the
 * call_sid: the webhook has no conversation id) and makes that conversation due at once: the next
 * post-call pass takes the insights from it instead of polling for them. The row is made here when the
 * webhook overtakes the call's end (never for a call a machine answered). Several webhooks for one call
 * (one per insight group) add up. `not_wanted`: the campaign has no conversation block.
 */
export async function recordInsightsWebhook(pool: pg.Pool, webhook: InsightsWebhook): Promise<InsightsWebhookOutcome> {
  const { rows } = await pool.query<{ id: string; wanted: boolean }>(
    `SELECT a.id, cp.config ? 'conversation' AS wanted FROM call_attempt a JOIN campaign cp ON cp.id = a.campaign_id WHERE a.call_sid = $1`,
    [webhook.callControlId],
  );
  const attempt = rows[0];
  if (!attempt) return 'unknown_call';
  if (!attempt.wanted) return 'not_wanted';
  const stored = { results: webhook.results, payload: webhook.payload };
  await pool.query(
    `INSERT INTO call_conversation AS cc (attempt_id, campaign_id, contact_id, conversation_id, deadline_at, next_check_at, webhook_results, created_at, updated_at)
     SELECT a.id, a.campaign_id, a.contact_id, a.conversation_id,
            COALESCE(a.ended_at, ${nowUtcSql}) + make_interval(secs => COALESCE((cp.config->'conversation'->>'insightsWaitSeconds')::int, 900)),
            ${nowUtcSql}, $2::jsonb, ${nowUtcSql}, ${nowUtcSql}
       FROM call_attempt a JOIN campaign cp ON cp.id = a.campaign_id
      WHERE a.id = $1 AND (a.answered_by IS NULL OR (a.answered_by NOT LIKE 'machine%' AND a.answered_by <> 'fax'))
     ON CONFLICT (attempt_id) DO UPDATE SET
        -- Each insight group sends its own webhook: their results add up (the payload kept is the last).
        webhook_results = jsonb_build_object(
          'results', COALESCE(cc.webhook_results->'results', '[]'::jsonb) || (EXCLUDED.webhook_results->'results'),
          'payload', EXCLUDED.webhook_results->'payload'),
        next_check_at = CASE WHEN cc.state = 'pending' THEN ${nowUtcSql} ELSE cc.next_check_at END,
        updated_at = ${nowUtcSql}`,
    [attempt.id, JSON.stringify(stored)],
  );
  return 'recorded';
}
