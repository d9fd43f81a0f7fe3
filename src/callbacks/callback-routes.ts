import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { isDialerError } from '../errors.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { parseCallbackBody } from './parse-callback-body.ts';
import { readCallbackFacts } from './read-callback-facts.ts';
import { makeCallbackBatcher } from './callback-batcher.ts';
import type { RecordedCallback } from './record-callback.ts';
import { makeSignatureVerifier, defaultMaxAgeSeconds, signatureHeader, timestampHeader } from '../telnyx/signature.ts';
import { isCallbackKind } from '../telnyx/callback-urls.ts';
import { storeSettingOnce } from '../db/settings.ts';
import { recordInsightsWebhook, type InsightsWebhook } from '../conversations/record-insights-webhook.ts';

export interface CallbackRouteOptions {
  app: App;
  metrics: Metrics;
  now: () => Date;
}

/** Largest callback body accepted; Telnyx's are a few hundred bytes, recordings' a little more. */
export const callbackBodyLimit = 64 * 1024;

/**
 * GET|POST /callbacks/:kind/:attemptId. Signature first (over the raw bytes, before any parsing),
 * then parse, then store once and apply (group-committed with other callbacks, answered only after the
 * commit). Telnyx retries on anything but 200, so
 * duplicates are answered 200 and only our own failures are 5xx.
 */
export async function callbackRoutes(server: FastifyInstance, { app, metrics, now }: CallbackRouteOptions): Promise<void> {
  const verifier = app.config.TELNYX_PUBLIC_KEY ? makeSignatureVerifier(app.config.TELNYX_PUBLIC_KEY, { now: () => now().getTime() }) : null;
  const batcher = makeCallbackBatcher(app.pool);
  // Without TELNYX_ACCOUNT_SID, the account id for call-record URLs is the AccountSid of the first
  // callback that names one of our attempts (and passed the signature check, when there is one).
  let accountSidKnown = app.config.TELNYX_ACCOUNT_SID !== undefined;
  const learnAccountSid = async (fields: Map<string, string>) => {
    const accountSid = fields.get('AccountSid')?.trim();
    if (accountSidKnown || !accountSid || !/^[A-Za-z0-9_.:-]{1,128}$/.test(accountSid)) return;
    const stored = await storeSettingOnce(app.pool, 'telnyx_account_sid', accountSid);
    accountSidKnown = true;
    if (stored === accountSid) app.log.info({ accountSid }, 'Telnyx account id learned from a callback');
  };
  // Raw bytes for every content type (and none): the signature covers exactly what was sent.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: callbackBodyLimit }, (_request, body, done) => done(null, body));

  // With TELNYX_PUBLIC_KEY set, every callback and webhook must carry a valid signature: true once the
  // refusal (401 missing, 403 otherwise) is sent. A boolean, not the reply: a reply is thenable.
  const refuseBadSignature = async (request: FastifyRequest, reply: FastifyReply, rawBody: Buffer, logFields: Record<string, string>, logMessage: string) => {
    if (!verifier) return false;
    const timestamp = header(request, timestampHeader);
    const signature = header(request, signatureHeader);
    const check = await verifier.verify({ rawBody, timestamp, signature });
    if (check.ok) return false;
    const reason = rejectionReason(timestamp, signature, now());
    metrics.rejectedSignatures.inc({ reason });
    request.log.warn({ ...logFields, reason: check.reason }, logMessage);
    void reply
      .code(reason === 'missing' ? 401 : 403)
      .send({ error: { code: 'unauthorized', message: `callback refused: ${check.reason}`, field: signatureHeader } });
    return true;
  };

  const handle = async (request: FastifyRequest<{ Params: { kind: string; attemptId: string } }>, reply: FastifyReply) => {
    const { kind, attemptId } = request.params;
    if (!isCallbackKind(kind)) {
      return reply.code(404).send({ error: { code: 'not_found', message: `unknown callback kind "${kind}"`, field: 'kind' } });
    }
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const rawQuery = request.raw.url?.split('?')[1] ?? '';
    if (verifier && rawBody.length === 0 && rawQuery !== '') {
      // Telnyx signs "{timestamp}|{body}": fields sent in the URL (GET callbacks) are not covered, so
      // anyone holding one signed GET could forge any other. Signed callbacks must be POSTs.
      metrics.rejectedSignatures.inc({ reason: 'unsigned_fields' });
      request.log.warn({ kind, attemptId: attemptId.slice(0, 64) }, 'callback refused: its fields are outside the signature');
      return reply.code(403).send({
        error: {
          code: 'unauthorized',
          message:
            'callback refused: its fields are in the URL, which the Telnyx signature does not cover; use POST callback methods when TELNYX_PUBLIC_KEY is set',
          field: 'method',
        },
      });
    }
    if (await refuseBadSignature(request, reply, rawBody, { kind, attemptId: attemptId.slice(0, 64) }, 'callback signature refused')) return reply;

    let recorded: RecordedCallback;
    let fields: Map<string, string>;
    try {
      const parsed = parseCallbackBody(rawBody, request.headers['content-type'], rawQuery);
      fields = parsed.fields;
      const facts = readCallbackFacts(kind, parsed, now());
      recorded = await batcher.record(attemptId, facts, parsed.payload);
    } catch (error) {
      if (!isDialerError(error, 'invalid_input')) throw error;
      metrics.callbacks.inc({ kind, result: 'malformed' });
      request.log.warn({ kind, attemptId: attemptId.slice(0, 64), reason: error.message }, 'malformed callback refused');
      return reply.code(400).send({ error: { code: error.code, message: error.message, field: error.field ?? null } });
    }

    metrics.callbacks.inc({ kind, result: recorded.outcome });
    if (recorded.outcome === 'unknown_attempt') {
      request.log.warn({ kind, attemptId: attemptId.slice(0, 64) }, 'callback for an unknown attempt (neither token nor CallSid match)');
      return reply.code(404).send({ error: { code: 'not_found', message: 'no call attempt matches this callback', field: 'attemptId' } });
    }
    await learnAccountSid(fields);
    const ids = { campaignId: recorded.campaignId, contactId: recorded.contactId, attemptId: recorded.attemptId, kind };
    if (recorded.finished) {
      metrics.outcomes.inc({ state: recorded.finished });
      request.log.info({ ...ids, state: recorded.finished }, 'call ended');
    } else {
      request.log.debug({ ...ids, outcome: recorded.outcome, state: recorded.state }, 'callback recorded');
    }
    return reply.code(200).send({ ok: true, duplicate: recorded.outcome === 'duplicate', state: recorded.state });
  };

  // An insight group's webhook (https://developers.telnyx.com/docs/inference/ai-insights/creating-insights): one URL for the
  // whole account, so the call is named by the body (call_control_id), never by the path. POST, signed, JSON.
  server.post('/callbacks/insights', async (request, reply) => {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (await refuseBadSignature(request, reply, rawBody, { kind: 'insights' }, 'insights webhook signature refused')) return reply;
    const webhook = readInsightsWebhook(rawBody);
    if (typeof webhook === 'string') return reply.code(400).send({ error: { code: 'invalid_input', message: webhook, field: 'body' } });
    const outcome = await recordInsightsWebhook(app.pool, webhook);
    if (outcome === 'unknown_call') {
      request.log.warn({ callControlId: webhook.callControlId.slice(0, 80) }, 'insights webhook for a call that is not ours');
      return reply.code(404).send({ error: { code: 'not_found', message: 'no call attempt has this call_control_id', field: 'call_control_id' } });
    }
    return reply.code(200).send({ ok: true, recorded: outcome === 'recorded' });
  });

  server.get('/callbacks/:kind/:attemptId', handle);
  server.post('/callbacks/:kind/:attemptId', handle);
}

/** The documented webhook body, or why it is not one. */
function readInsightsWebhook(rawBody: Buffer): InsightsWebhook | string {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return 'the insights webhook body is not JSON';
  }
  const data = (json as { data?: { event_type?: unknown; payload?: { call_control_id?: unknown; results?: unknown } } })?.data;
  if (data?.event_type !== 'call.conversation_insights.generated') return 'not a call.conversation_insights.generated event';
  const callControlId = data.payload?.call_control_id;
  const results = data.payload?.results;
  if (typeof callControlId !== 'string' || callControlId === '' || !Array.isArray(results)) return 'payload.call_control_id and payload.results are required';
  const read: InsightsWebhook['results'] = [];
  for (const item of results as { insight_id?: unknown; result?: unknown }[]) {
    if (typeof item?.insight_id !== 'string') return 'every payload.results entry needs an insight_id';
    read.push({ insightId: item.insight_id, result: typeof item.result === 'string' ? item.result : JSON.stringify(item.result ?? null) });
  }
  return { callControlId, results: read, payload: json };
}

/** The metrics label of a refused signature (the verifier's reason is for people). */
function rejectionReason(timestamp: string | undefined, signature: string | undefined, now: Date): 'missing' | 'expired' | 'invalid' {
  if (!timestamp || !signature) return 'missing';
  const ageSeconds = now.getTime() / 1000 - Number(timestamp);
  return /^\d{1,12}$/.test(timestamp) && Math.abs(ageSeconds) > defaultMaxAgeSeconds ? 'expired' : 'invalid';
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
