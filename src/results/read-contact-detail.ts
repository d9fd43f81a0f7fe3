import type pg from 'pg';
import { DialerError } from '../errors.ts';
import { isUuid } from '../db/uuid.ts';
import { toJsonResult } from './export-results.ts';
import type { ContactResult, InsightEntry, TranscriptEntry } from './read-results-page.ts';
import { contactTimezonesWithSource } from '../calling-hours/contact-timezones.ts';

/** One attempt of a contact, with what post-call work read of its conversation. */
export interface AttemptDetail {
  attempt_id: string;
  attempt_number: number;
  state: string;
  call_sid: string | null;
  answered_by: string | null;
  talk_duration_sec: number | null;
  outcome_source: string | null;
  dialed_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  conversation_id: string | null;
  conversation_state: string | null;
  conversation_note: string | null;
  goal_met: boolean | null;
  opted_out: boolean | null;
  insights_pending: number | null;
  transcript: TranscriptEntry[] | null;
  insights: InsightEntry[] | null;
}

/** A contact's result (as the results give it) with every attempt, newest first. */
export interface ContactDetail {
  result: Record<string, unknown>;
  attempts: AttemptDetail[];
}

/**
 * One contact of a campaign, by its id or its phone number (E.164, as stored): its result, and each
 * attempt with its transcript and insights. not_found when the campaign has no such contact.
 */
export async function readContactDetail(pool: pg.Pool, campaignId: string, contact: string): Promise<ContactDetail> {
  const byId = isUuid(contact);
  const { rows } = await pool.query<Omit<ContactResult, 'timezones' | 'timezone_source'>>(
    `SELECT * FROM contact_result WHERE campaign_id = $1 AND ${byId ? 'contact_id = $2::uuid' : 'phone = $2'}`,
    [campaignId, byId ? contact : normalizePhoneArgument(contact)],
  );
  const row = rows[0];
  if (!row)
    throw new DialerError('not_found', `no contact "${contact}" in this campaign (give its id or its phone number in E.164, e.g. +13125550123)`, 'contact');
  const { zones, source } = contactTimezonesWithSource(row.phone, row.timezone);
  const { rows: attempts } = await pool.query<AttemptDetail>(
    `SELECT a.id AS attempt_id, a.attempt_number, a.state::text AS state, a.call_sid, a.answered_by, a.talk_duration_sec,
            a.outcome_source::text AS outcome_source, a.claimed_at AS dialed_at, a.answered_at, a.ended_at,
            COALESCE(cc.conversation_id, a.conversation_id) AS conversation_id, cc.state::text AS conversation_state, cc.note AS conversation_note,
            cc.goal_met, cc.opted_out, cc.insights_pending, cc.transcript, cc.insights
       FROM call_attempt a LEFT JOIN call_conversation cc ON cc.attempt_id = a.id
      WHERE a.contact_id = $1
      ORDER BY a.attempt_number DESC`,
    [row.contact_id],
  );
  return { result: toJsonResult({ ...row, timezones: zones, timezone_source: source }), attempts };
}

// Spaces, dashes, dots and brackets are let through (a number copied from a spreadsheet); the rest must be E.164.
function normalizePhoneArgument(text: string): string {
  const compact = text.replace(/[\s().-]/g, '');
  if (!/^\+\d{6,15}$/.test(compact))
    throw new DialerError('invalid_input', `"${text}" is neither a contact id nor a phone number in E.164 (e.g. +13125550123)`, 'contact');
  return compact;
}
