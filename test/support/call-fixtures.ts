import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { parseCampaignConfig } from '../../src/campaigns/parse-campaign-config.ts';
import { formEncode, makeStatusCallbackPayload, type CallIdentity, type StatusCallbackFacts } from '../../src/telnyx/callback-payloads.ts';

export interface CallFixture {
  campaignId: string;
  contactId: string;
  attemptId: string;
  callSid: string;
  call: CallIdentity;
}

/** A running campaign (one slot held) whose contact is mid-dial, written straight to Postgres. */
export async function makeCallFixture(
  pool: pg.Pool,
  options: { attemptState?: string; withCallSid?: boolean; retry?: object; variables?: Record<string, string>; phone?: string } = {},
): Promise<CallFixture> {
  const config = parseCampaignConfig({
    name: `cb-${randomBytes(4).toString('hex')}`,
    connectionId: 'conn-1',
    assistantId: 'assistant-1',
    from: '+12025550123',
    callsPerSecond: 1,
    maxConcurrentCalls: 5,
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const campaign = await pool.query<{ id: string }>(
    `INSERT INTO campaign (name, status, config, max_concurrent_calls, active_calls) VALUES ($1, 'running', $2, 5, 1) RETURNING id`,
    [config.name, JSON.stringify(config)],
  );
  const campaignId = campaign.rows[0]!.id;
  const phone = options.phone ?? `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const contact = await pool.query<{ id: string }>(
    `INSERT INTO contact (campaign_id, phone, variables, state, attempt_count) VALUES ($1, $2, $3, 'in_call', 1) RETURNING id`,
    [campaignId, phone, JSON.stringify(options.variables ?? { first_name: 'Ada' })],
  );
  const contactId = contact.rows[0]!.id;
  const callSid = `v3:${randomBytes(12).toString('hex')}`;
  const attempt = await pool.query<{ id: string }>(
    `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid) VALUES ($1, $2, 1, $3, $4) RETURNING id`,
    [contactId, campaignId, options.attemptState ?? 'accepted', options.withCallSid === false ? null : callSid],
  );
  const initiatedAt = new Date('2026-11-25T15:00:00Z');
  return {
    campaignId,
    contactId,
    attemptId: attempt.rows[0]!.id,
    callSid,
    call: {
      accountSid: 'acct-1',
      callSid,
      callSidLegacy: `legacy-${callSid}`,
      connectionId: 'conn-1',
      callSessionId: 'session-1',
      callLegId: 'leg-1',
      from: '+15550000000',
      to: phone,
      initiatedAt,
    },
  };
}

const at = (seconds: number) => new Date(Date.parse('2026-11-25T15:00:00Z') + seconds * 1000);

/** The five status callbacks of an answered call, as Telnyx would send them (form-encoded). */
export function answeredCallEvents(call: CallIdentity): { status: string; body: string }[] {
  const facts: StatusCallbackFacts[] = [
    { status: 'initiated', sequenceNumber: 0, at: at(0) },
    { status: 'ringing', sequenceNumber: 1, at: at(1) },
    { status: 'in-progress', sequenceNumber: 2, at: at(6) },
    {
      status: 'completed',
      sequenceNumber: 3,
      at: at(66),
      answeredAt: at(6),
      endedAt: at(66),
      hangupCause: 'normal_clearing',
      hangupSource: 'callee',
      sipHangupCause: '200',
      recordingUrl: 'https://example.test/rec.mp3',
    },
    { status: 'analyzed', sequenceNumber: 4, at: at(70) },
  ];
  return facts.map((fact) => ({ status: fact.status, body: formEncode(makeStatusCallbackPayload(call, fact)) }));
}

export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}
