import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo, Socket } from 'node:net';
import { makeSigningKeyPair } from '../telnyx/signature.ts';
import type { CallIdentity } from '../telnyx/callback-payloads.ts';
import { makeCallPlan, makeCallTimeline, type CallTimeline, type PlannedCallback } from './call-plan.ts';
import { pageUri, readListQuery, renderCallRecord, type PageToken } from './call-records.ts';
import { makeCallbackSender, type CallbackDelivery } from './callback-sender.ts';
import { makeCallbackHostFilter } from './callback-hosts.ts';
import { makeRandom, pickWeighted } from './random.ts';
import { makeStopper } from './stopper.ts';
import { makeDialRateWindow, peakCountInWindow } from './rate-window.ts';
import { makeTelnyxError, type TelnyxErrorObject } from './telnyx-error.ts';
import { validateDialBody } from './validate-dial-body.ts';
import { makeConversationStore, makeInsightsWebhookBody, type ConversationStore, type SimulatedConversation } from './conversations.ts';
import { readBody, reply, sendJson, sendRaw } from './http-io.ts';
import type { CallOutcome, FaultKind, Faults, SimulatorOptions } from './simulator-options.ts';

/** A dial the simulator placed: it will produce callbacks. */
export interface SimulatedCall {
  callSid: string;
  connectionId: string;
  to: string;
  from: string;
  body: Record<string, unknown>;
  outcome: CallOutcome;
  /** Failed through its callbacks because the account's concurrent-call limit was reached. */
  overConcurrencyLimit: boolean;
  /** Placed with an injected fault: the client did not get (or could not read) the 200. */
  fault?: FaultKind;
  at: number;
  /** When it is answered and ends, and how: what its record says once visible. */
  timeline: CallTimeline;
  /** None of its callbacks are sent (the dropCallbacksRate fault). */
  callbacksDropped: boolean;
}

/** Every call-record GET, in arrival order. */
export interface SimulatorRecordRequest {
  at: number;
  /** Path and query as requested. */
  url: string;
  status: number;
  code?: string;
}

/** Every dial request, refused or not, in arrival order. */
export interface SimulatorRequest {
  at: number;
  connectionId: string;
  /** HTTP status sent; undefined when the response was never sent (timeout/reset faults). */
  status?: number;
  code?: string;
  to?: string;
  fault?: FaultKind;
  callSid?: string;
}

export interface Simulator {
  /** Use as TELNYX_API_BASE_URL (like https://api.telnyx.com/v2). */
  baseUrl: string;
  apiKey: string;
  /** Base64 raw Ed25519 public key (TELNYX_PUBLIC_KEY). */
  publicKey: string;
  /** The account id (TELNYX_ACCOUNT_SID): AccountSid of every callback, and in call-record URLs. */
  accountSid: string;
  calls: SimulatedCall[];
  requests: SimulatorRequest[];
  recordRequests: SimulatorRecordRequest[];
  /** The AI conversation of every call a person answered, and every conversation GET. */
  conversations: ConversationStore;
  deliveries: CallbackDelivery[];
  /** Callbacks not sent because their host is not allowed (see allowedCallbackHosts), per host. */
  skippedCallbacks: Map<string, number>;
  setFaults(faults: Faults): void;
  /** Highest number of placed calls in any window of `windowMs` (default 1 s). */
  peakCallsInWindow(windowMs?: number): number;
  /** Resolves once every placed call has sent all of its callbacks (or given up on them). */
  callbacksSettled(): Promise<void>;
  close(): Promise<void>;
}

const placingFaults: ReadonlySet<FaultKind> = new Set(['server_error_after_placing', 'timeout_after_placing', 'reset_after_placing', 'garbled_after_placing']);

/**
 * A stand-in for Telnyx's "Initiate an outbound AI call" endpoint on 127.0.0.1
 * (https://developers.telnyx.com/api-reference/texml-rest-commands/initiate-an-outbound-ai-call, with
 * the readings in docs/telnyx-notes.md): bearer check, full validation, the dial-rate limit
 * (https://developers.telnyx.com/docs/voice/programmable-voice/dials-per-second-limit),
 * latency and fault injection, an outcome mix, then signed form-encoded callbacks.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? 'sim-key';
  const now = options.now ?? Date.now;
  const random = makeRandom(options.seed ?? randomBytes(4).readUInt32LE());
  const signingKey = options.signingKey ?? makeSigningKeyPair();
  const rateWindow = options.rateLimit === false ? undefined : makeDialRateWindow(options.rateLimit?.perSecond ?? 30, options.rateLimit?.windowSeconds ?? 5);
  const callbackDelayMs = options.callbackDelayMs ?? 5;
  const callDurationMs = options.callDurationMs ?? callbackDelayMs;
  const delivery = options.delivery ?? {};
  const accountSid = options.accountSid ?? randomUUID();
  const recordDelayMs = options.callRecords?.visibilityDelayMs ?? 0;
  let faults: Faults = { ...options.faults };
  let activeCalls = 0;

  const calls: SimulatedCall[] = [];
  const requests: SimulatorRequest[] = [];
  const recordRequests: SimulatorRecordRequest[] = [];
  const deliveries: CallbackDelivery[] = [];
  const skippedCallbacks = new Map<string, number>();
  const checkHost = makeCallbackHostFilter(options.allowedCallbackHosts);
  const flows = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const stopper = makeStopper();
  const conversations = makeConversationStore(options.conversations ?? {}, random, apiKey, now);

  const sender = makeCallbackSender({
    privateKey: signingKey.privateKey,
    retries: delivery.retries ?? 3,
    retryDelayMs: delivery.retryDelayMs ?? 100,
    timeoutMs: delivery.timeoutMs ?? 5000,
    concurrency: delivery.concurrency ?? 256,
    now,
    stopper,
    record: (entry) => {
      deliveries.push(entry);
      options.onDelivery?.(entry);
    },
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Telnyx counts a request when it arrives, not when its body has been read and parsed.
    const arrivedAt = now();
    if (request.method === 'GET' && (request.url ?? '').startsWith('/v2/texml/Accounts/')) return serveCallRecords(request, response, arrivedAt);
    if (conversations.serve(request, response, arrivedAt)) return;
    const match = /^\/v2\/texml\/ai_calls\/([^/?]+)$/.exec((request.url ?? '').split('?')[0]!);
    if (request.method !== 'POST' || !match) {
      return reply(response, 404, [makeTelnyxError('10005', `No route for ${request.method} ${request.url}`)]);
    }
    const connectionId = decodeURIComponent(match[1]!);
    const rawBody = await readBody(request);
    const entry: SimulatorRequest = { at: arrivedAt, connectionId };
    requests.push(entry);
    const refuse = (status: number, errors: TelnyxErrorObject[], headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.code = errors[0]?.code;
      return reply(response, status, errors, headers);
    };

    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return refuse(401, [makeTelnyxError('10009', 'The API key is missing or invalid.')]);
    }
    if (options.connectionIds && !options.connectionIds.includes(connectionId)) {
      return refuse(404, [makeTelnyxError('10005', `Connection ${connectionId} was not found.`)]);
    }
    if (options.forbiddenConnectionIds?.includes(connectionId)) {
      return refuse(403, [makeTelnyxError('10010', `This API key may not use connection ${connectionId}.`)]);
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return refuse(400, [makeTelnyxError('10015', 'The request body is not valid JSON.')]);
    }
    const problems = validateDialBody(body);
    if (problems.length > 0) return refuse(422, problems);
    const dial = body as Record<string, unknown>;
    entry.to = String(dial.To);

    const fault = pickFault();
    entry.fault = fault;
    const answer = async (send: () => void) => {
      if (options.latencyMs) await sleep(options.latencyMs);
      send();
    };
    if (fault === 'rate_limited') return answer(() => refuse(429, [makeTelnyxError('10011', 'Too many requests.')]));
    if (fault === 'server_error') return answer(() => refuse(500, [makeTelnyxError('10007', 'An unexpected error occurred.')]));
    if (fault === 'timeout_before_placing') return hang(response, () => refuse(504, [makeTelnyxError('10007', 'Gateway timeout.')]));

    const room = rateWindow?.tryTake(arrivedAt);
    if (room && !room.allowed) {
      const resetSeconds = Math.max(1, Math.ceil(room.resetMs / 1000));
      const windowSeconds = options.rateLimit ? options.rateLimit.windowSeconds : 5;
      const headers = {
        'x-ratelimit-limit': String(rateWindow!.limit),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(resetSeconds),
        ...(options.sendRetryAfter ? { 'retry-after': String(resetSeconds) } : {}),
      };
      return answer(() => refuse(429, [makeTelnyxError('90103', `Dial rate limit of ${rateWindow!.limit} per ${windowSeconds} s exceeded.`)], headers));
    }

    // The call is placed before the response leaves, so its callbacks may overtake a slow response.
    const call = placeCall(connectionId, dial, fault, arrivedAt);
    entry.callSid = call.callSid;
    const success = { call_sid: call.callSid, from: call.from, to: call.to, status: 'queued' };
    const rateHeaders: Record<string, string> = room?.allowed
      ? { 'x-ratelimit-limit': String(rateWindow!.limit), 'x-ratelimit-remaining': String(room.remaining) }
      : {};
    if (fault === 'server_error_after_placing') return answer(() => refuse(500, [makeTelnyxError('10007', 'An unexpected error occurred.')]));
    if (fault === 'timeout_after_placing') return hang(response, () => sendJson(response, 200, success, rateHeaders, entry));
    if (fault === 'reset_after_placing') return answer(() => request.socket.destroy());
    if (fault === 'garbled_after_placing') return answer(() => sendRaw(response, 200, '{"call_sid": "v3:', 'application/json', entry));
    return answer(() => sendJson(response, 200, success, rateHeaders, entry));
  }

  // GET /texml/Accounts/{account_sid}/Calls[/{call_sid}]: the records of placed calls, each visible
  // recordDelayMs after its dial (eventual consistency), newest first, paged with next_page_uri.
  function serveCallRecords(request: IncomingMessage, response: ServerResponse, arrivedAt: number): void {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const entry: SimulatorRecordRequest = { at: arrivedAt, url: `${url.pathname}${url.search}`, status: 0 };
    recordRequests.push(entry);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const code = (body as { errors?: { code: string }[] }).errors?.[0]?.code;
      if (code) entry.code = code;
      sendJson(response, status, body, headers, entry);
    };
    if (request.headers.authorization !== `Bearer ${apiKey}`) return answer(401, { errors: [makeTelnyxError('10009', 'The API key is missing or invalid.')] });
    // Draws only when the fault is on, so seeded outcomes stay what they were without it.
    const rateLimitedRate = options.callRecords?.rateLimitedRate ?? 0;
    if (rateLimitedRate > 0 && random() < rateLimitedRate) {
      return answer(
        429,
        { errors: [makeTelnyxError('10011', 'Too many requests.')] },
        { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
      );
    }
    const match = /^\/v2\/texml\/Accounts\/([^/]+)\/Calls(?:\/([^/]+))?$/.exec(url.pathname);
    const notFound = (detail: string) => answer(404, { errors: [makeTelnyxError('10005', detail)] });
    if (!match) return notFound(`No route for GET ${url.pathname}`);
    if (decodeURIComponent(match[1]!) !== accountSid) return notFound('Account not found.');
    const visible = (call: SimulatedCall) => call.at + recordDelayMs <= arrivedAt;
    if (match[2] !== undefined) {
      const callSid = decodeURIComponent(match[2]);
      const call = calls.find((candidate) => candidate.callSid === callSid);
      if (!call || !visible(call)) return notFound(`Call ${callSid} was not found.`);
      return answer(200, renderCallRecord(call, accountSid, arrivedAt));
    }
    const query = readListQuery(url.searchParams);
    if (!query.ok) return answer(422, { errors: [makeTelnyxError('10015', query.detail, `/${query.field}`)] });
    const placedBy = query.token?.placedBy ?? arrivedAt;
    const matching = calls
      .filter((call) => visible(call) && call.at <= placedBy)
      .map((call) => ({ call, record: renderCallRecord(call, accountSid, arrivedAt) }))
      .filter(({ call, record }) => query.matches(record, call))
      .sort((a, b) => b.call.at - a.call.at || (a.call.callSid < b.call.callSid ? -1 : 1));
    const start = query.token?.offset ?? query.page * query.pageSize;
    const page = matching.slice(start, start + query.pageSize);
    const end = start + page.length;
    const nextToken: PageToken | undefined = end < matching.length ? { offset: end, placedBy } : undefined;
    const firstParams = new URLSearchParams(url.searchParams);
    return answer(200, {
      calls: page.map(({ record }) => record),
      page: query.page,
      page_size: query.pageSize,
      start,
      end: Math.max(start, end - 1),
      uri: entry.url,
      first_page_uri: pageUri(accountSid, firstParams, 0),
      next_page_uri: nextToken ? pageUri(accountSid, firstParams, query.page + 1, nextToken) : null,
      previous_page_uri: query.page > 0 ? pageUri(accountSid, firstParams, query.page - 1, { offset: Math.max(0, start - query.pageSize), placedBy }) : null,
    });
  }

  function pickFault(): FaultKind | undefined {
    // pickWeighted over the rates themselves decides which fault; whether one happens at all is a
    // separate draw against their sum so a rate of 0.1 means 10 % of requests.
    const total = Object.values(faults).reduce((sum, rate) => sum + (rate ?? 0), 0);
    return random() < total ? pickWeighted(faults, random) : undefined;
  }

  function placeCall(connectionId: string, body: Record<string, unknown>, fault: FaultKind | undefined, arrivedAt: number): SimulatedCall {
    const overConcurrencyLimit = options.accountConcurrentCalls !== undefined && activeCalls >= options.accountConcurrentCalls;
    const outcome = options.decideOutcome?.(body) ?? pickWeighted(options.outcomes ?? { completed: 1 }, random) ?? 'completed';
    const dropRate = options.dropCallbacksRate ?? 0;
    const callbacksDropped = dropRate > 0 && random() < dropRate;
    const call: SimulatedCall = {
      callSid: `v3:${randomBytes(16).toString('base64url')}`,
      connectionId,
      to: String(body.To),
      from: String(body.From),
      body,
      outcome,
      overConcurrencyLimit,
      ...(fault && placingFaults.has(fault) ? { fault } : {}),
      at: arrivedAt,
      timeline: makeCallTimeline({ body, outcome, overConcurrencyLimit, callbackDelayMs, callDurationMs }),
      callbacksDropped,
    };
    calls.push(call);
    if (!overConcurrencyLimit) activeCalls += 1;
    // A person answered (not a machine): the assistant talked, so Telnyx keeps a conversation, under
    // the id the conversation callbacks name.
    const conversationId = randomUUID();
    const conversation =
      call.timeline.answeredAfterMs !== undefined && outcome === 'completed'
        ? conversations.add({
            id: conversationId,
            callSid: call.callSid,
            body,
            answeredAt: call.at + call.timeline.answeredAfterMs,
            endedAt: call.at + call.timeline.endedAfterMs,
          })
        : undefined;
    const identity: CallIdentity = {
      accountSid,
      callSid: call.callSid,
      callSidLegacy: `CA${randomBytes(16).toString('hex')}`,
      connectionId,
      callSessionId: randomUUID(),
      callLegId: randomUUID(),
      from: call.from,
      to: call.to,
      callerId: typeof body.CallerId === 'string' ? body.CallerId : undefined,
      initiatedAt: new Date(call.at),
    };
    const plan = makeCallPlan({
      call: identity,
      body,
      outcome,
      overConcurrencyLimit,
      startedAt: call.at,
      callbackDelayMs,
      callDurationMs,
      timestampStyle: options.timestampStyle ?? 'iso8601',
      makeId: randomUUID,
      conversationId,
    });
    const webhookUrl = options.conversations?.insightsWebhookUrl;
    if (conversation && webhookUrl && conversation.insightsFate === 'complete' && !callbacksDropped) {
      const webhook = sendInsightsWebhook(conversation, identity, webhookUrl).finally(() => flows.delete(webhook));
      flows.add(webhook);
    }
    const flow = runCallbacks(plan, call.callSid, callbacksDropped).finally(() => {
      if (!overConcurrencyLimit) activeCalls -= 1;
      flows.delete(flow);
    });
    flows.add(flow);
    return call;
  }

  // A call whose callbacks are dropped still runs its course (its record changes on the same schedule).
  async function runCallbacks(plan: PlannedCallback[], callSid: string, dropped: boolean): Promise<void> {
    const order = delivery.reorder ? shuffled(plan) : plan;
    for (const callback of order) {
      await stopper.wait(delivery.reorder ? callbackDelayMs : callback.delayMs);
      if (stopper.stopped) return;
      const urls = dropped ? [] : callback.urls.filter(deliverable);
      const copies = random() < (delivery.duplicateRate ?? 0) ? 2 : 1;
      for (let copy = 0; copy < copies; copy += 1) {
        await Promise.all(urls.map((url) => sender.send(callback, url, callSid)));
      }
    }
  }

  // The insight group's webhook, once the conversation's insights complete.
  async function sendInsightsWebhook(conversation: SimulatedConversation, identity: CallIdentity, url: string): Promise<void> {
    let finished = conversations.finishedInsights(conversation, now());
    while (!finished && !stopper.stopped) {
      await stopper.wait(Math.max(1, Math.min(1000, conversation.endedAt + (options.conversations?.insightsDelayMs ?? 50) - now() + 1)));
      finished = conversations.finishedInsights(conversation, now());
    }
    if (!finished || stopper.stopped || !deliverable(url)) return;
    const body = makeInsightsWebhookBody(conversation, identity, finished.results, new Date(now()));
    await sender.send(
      { kind: 'insights', urls: [url], method: 'POST', body, query: '', contentType: 'application/json', delayMs: 0 },
      url,
      conversation.callSid,
    );
  }

  function deliverable(url: string): boolean {
    const { host, deliver } = checkHost(url);
    if (deliver) return true;
    const count = skippedCallbacks.get(host) ?? 0;
    skippedCallbacks.set(host, count + 1);
    if (count === 0) options.onSkippedHost?.(host, url);
    return false;
  }

  function shuffled<T>(items: T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [copy[index], copy[other]] = [copy[other]!, copy[index]!];
    }
    return copy;
  }

  // A timeout fault: the response is held until the client gives up, or answered after `hangMs`.
  function hang(response: ServerResponse, answerLate: () => void): void {
    if (options.hangMs === undefined) return;
    const timer = setTimeout(() => {
      if (!response.destroyed) answerLate();
    }, options.hangMs);
    response.on('close', () => clearTimeout(timer));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, [makeTelnyxError('10007', error instanceof Error ? error.message : 'unexpected error')]);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    baseUrl: `http://${host}:${address.port}/v2`,
    apiKey,
    publicKey: signingKey.publicKey,
    accountSid,
    calls,
    requests,
    recordRequests,
    conversations,
    deliveries,
    skippedCallbacks,
    setFaults(next) {
      faults = { ...next };
    },
    peakCallsInWindow(windowMs = 1000) {
      return peakCountInWindow(
        calls.map((call) => call.at),
        windowMs,
      );
    },
    async callbacksSettled() {
      while (flows.size > 0) await Promise.allSettled([...flows]);
    },
    async close() {
      stopper.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...flows]);
    },
  };
}
