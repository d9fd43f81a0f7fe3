import type pg from 'pg';
import { nowUtcSql } from '../db/sql-time.ts';
import type { ConversationConfig } from '../campaigns/config-schema.ts';
import type { TranscriptMessage } from '../telnyx/conversation-client.ts';
import type { StoredInsight } from './conversation-rules.ts';

/**
 * Starts post-call work for calls that ended answered by a person in campaigns with a `conversation`
 * block: one call_conversation row each, due at once, with its deadline (the call's end plus
 * insightsWaitSeconds). Idempotent (one row per attempt); returns how many were added.
 */
export async function enrollAnsweredCalls(pool: pg.Pool, limit = 1000): Promise<number> {
  const { rowCount } = await pool.query(
    `INSERT INTO call_conversation (attempt_id, campaign_id, contact_id, conversation_id, deadline_at, next_check_at, created_at, updated_at)
     SELECT a.id, a.campaign_id, a.contact_id, a.conversation_id,
            COALESCE(a.ended_at, ${nowUtcSql}) + make_interval(secs => COALESCE((cp.config->'conversation'->>'insightsWaitSeconds')::int, 900)),
            ${nowUtcSql}, ${nowUtcSql}, ${nowUtcSql}
       FROM call_attempt a
       JOIN campaign cp ON cp.id = a.campaign_id
      WHERE cp.config ? 'conversation' AND a.state = 'completed'
        AND (a.answered_by IS NULL OR (a.answered_by NOT LIKE 'machine%' AND a.answered_by <> 'fax'))
        AND NOT EXISTS (SELECT 1 FROM call_conversation cc WHERE cc.attempt_id = a.id)
      LIMIT $1
     ON CONFLICT (attempt_id) DO NOTHING`,
    [limit],
  );
  return rowCount ?? 0;
}

/** A conversation due for a read, with what the read needs. */
export interface DueConversation {
  attemptId: string;
  campaignId: string;
  contactId: string;
  phone: string;
  callSid: string | null;
  /** Known: found earlier, or named by the conversation callback. */
  conversationId: string | null;
  transcript: TranscriptMessage[] | null;
  insights: StoredInsight[];
  optedOut: boolean | null;
  /** Insight results an insight group's webhook delivered (call.conversation_insights.generated). */
  webhookResults: { insightId: string; result: string }[] | null;
  deadlineAt: Date;
  checks: number;
  rules: ConversationConfig;
}

/**
 * Takes up to `limit` pending conversations whose next read is due and leases them for `leaseMs` (another
 * process skips them; a process that dies mid-read leaves them due again when the lease ends).
 */
export async function takeDueConversations(pool: pg.Pool, leaseMs: number, limit: number): Promise<DueConversation[]> {
  const { rows } = await pool.query<{
    attempt_id: string;
    campaign_id: string;
    contact_id: string;
    phone: string;
    call_sid: string | null;
    conversation_id: string | null;
    transcript: TranscriptMessage[] | null;
    insights: StoredInsight[];
    opted_out: boolean | null;
    webhook_results: { results: { insightId: string; result: string }[] } | null;
    deadline_at: Date;
    checks: number;
    rules: ConversationConfig;
  }>(
    `WITH due AS (
       UPDATE call_conversation cc SET next_check_at = ${nowUtcSql} + make_interval(secs => $1), checks = cc.checks + 1
         FROM (SELECT attempt_id FROM call_conversation
                WHERE state = 'pending' AND next_check_at <= ${nowUtcSql}
                ORDER BY next_check_at LIMIT $2
                FOR UPDATE SKIP LOCKED) picked
        WHERE cc.attempt_id = picked.attempt_id
        RETURNING cc.*
     )
     SELECT due.attempt_id, due.campaign_id, due.contact_id, c.phone, a.call_sid,
            COALESCE(due.conversation_id, a.conversation_id) AS conversation_id,
            due.transcript, due.insights, due.opted_out, due.webhook_results,
            due.deadline_at AT TIME ZONE 'UTC' AS deadline_at, due.checks, cp.config->'conversation' AS rules
       FROM due
       JOIN call_attempt a ON a.id = due.attempt_id
       JOIN contact c ON c.id = due.contact_id
       JOIN campaign cp ON cp.id = due.campaign_id`,
    [leaseMs / 1000, limit],
  );
  return rows.map((row) => ({
    attemptId: row.attempt_id,
    campaignId: row.campaign_id,
    contactId: row.contact_id,
    phone: row.phone,
    callSid: row.call_sid,
    conversationId: row.conversation_id,
    transcript: row.transcript,
    insights: row.insights,
    optedOut: row.opted_out,
    webhookResults: row.webhook_results?.results ?? null,
    deadlineAt: row.deadline_at,
    checks: row.checks,
    rules: row.rules,
  }));
}

export interface ConversationProgress {
  conversationId: string | null;
  transcript: TranscriptMessage[] | null;
  insights: StoredInsight[];
  insightsPending: number;
  goalMet: boolean | null;
  optedOut: boolean | null;
  note: string;
  /** Where the work stands: still pending (next read after `nextCheckMs`), or finished either way. */
  state: 'pending' | 'completed' | 'timed_out';
  nextCheckMs?: number;
}

/** Saves what a read learned; only a pending row changes (a finished one is never reopened). */
export async function saveConversationProgress(pool: pg.Pool, attemptId: string, progress: ConversationProgress): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE call_conversation SET
        conversation_id = $2, transcript = $3::jsonb, insights = $4::jsonb, insights_pending = $5, goal_met = $6, opted_out = $7,
        note = $8, state = $9::"ConversationState",
        next_check_at = CASE WHEN $9 = 'pending' THEN ${nowUtcSql} + make_interval(secs => $10) ELSE next_check_at END,
        finished_at = CASE WHEN $9 = 'pending' THEN NULL ELSE ${nowUtcSql} END,
        updated_at = ${nowUtcSql}
      WHERE attempt_id = $1 AND state = 'pending'`,
    [
      attemptId,
      progress.conversationId,
      progress.transcript === null ? null : JSON.stringify(progress.transcript),
      JSON.stringify(progress.insights),
      progress.insightsPending,
      progress.goalMet,
      progress.optedOut,
      progress.note.slice(0, 500),
      progress.state,
      (progress.nextCheckMs ?? 0) / 1000,
    ],
  );
  return (rowCount ?? 0) > 0;
}
