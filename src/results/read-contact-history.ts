import type { Queryable } from '../db/queryable.ts';
import { isUuid } from '../db/uuid.ts';
import { DialerError } from '../errors.ts';

export interface ContactHistory {
  id: string;
  campaignId: string;
  campaignName: string;
  phone: string;
  state: string;
  outcome: string | null;
  timezone: string | null;
  nextAttemptAt: Date | null;
  variables: Record<string, string>;
  attempts: AttemptHistory[];
}

export interface AttemptHistory {
  id: string;
  attemptNumber: number;
  state: string;
  callSid: string | null;
  answeredBy: string | null;
  talkDurationSec: number | null;
  hangupCause: string | null;
  recordingUrl: string | null;
  conversationId: string | null;
  errorCode: string | null;
  errorDetail: string | null;
  claimedAt: Date;
  endedAt: Date | null;
  /** Every callback received for the attempt, oldest first (at most `eventsShown`). */
  events: Array<{ kind: string; status: string | null; sequenceNumber: number | null; receivedAt: Date }>;
}

const eventsShown = 200;

/** One contact with each of its attempts and the callbacks each received: the console's contact page. */
export async function readContactHistory(db: Queryable, contactId: string): Promise<ContactHistory> {
  const notFound = new DialerError('not_found', `no contact with id ${contactId}`, 'contact');
  if (!isUuid(contactId)) throw notFound;
  const { rows } = await db.query<{
    id: string;
    campaign_id: string;
    campaign_name: string;
    phone: string;
    state: string;
    outcome: string | null;
    timezone: string | null;
    next_attempt_at: Date | null;
    variables: Record<string, string>;
  }>(
    `SELECT c.id, c.campaign_id, k.name AS campaign_name, c.phone, c.state, c.outcome, c.timezone, c.next_attempt_at, c.variables
       FROM contact c JOIN campaign k ON k.id = c.campaign_id WHERE c.id = $1`,
    [contactId],
  );
  const contact = rows[0];
  if (!contact) throw notFound;
  const attempts = await db.query<Omit<AttemptHistory, 'events'>>(
    `SELECT id, attempt_number AS "attemptNumber", state, call_sid AS "callSid", answered_by AS "answeredBy", talk_duration_sec AS "talkDurationSec",
       hangup_cause AS "hangupCause", recording_url AS "recordingUrl", conversation_id AS "conversationId", error_code AS "errorCode",
       error_detail AS "errorDetail", claimed_at AS "claimedAt", ended_at AS "endedAt"
       FROM call_attempt WHERE contact_id = $1 ORDER BY attempt_number`,
    [contactId],
  );
  const events = await db.query<{ attempt_id: string; kind: string; status: string | null; sequence_number: number | null; received_at: Date }>(
    `SELECT attempt_id, kind, status, sequence_number, received_at FROM call_event
      WHERE attempt_id = ANY($1::uuid[]) ORDER BY received_at, sequence_number NULLS LAST LIMIT ${eventsShown}`,
    [attempts.rows.map((attempt) => attempt.id)],
  );
  return {
    id: contact.id,
    campaignId: contact.campaign_id,
    campaignName: contact.campaign_name,
    phone: contact.phone,
    state: contact.state,
    outcome: contact.outcome,
    timezone: contact.timezone,
    nextAttemptAt: contact.next_attempt_at,
    variables: contact.variables,
    attempts: attempts.rows.map((attempt) => ({
      ...attempt,
      events: events.rows
        .filter((event) => event.attempt_id === attempt.id)
        .map((event) => ({ kind: event.kind, status: event.status, sequenceNumber: event.sequence_number, receivedAt: event.received_at })),
    })),
  };
}
