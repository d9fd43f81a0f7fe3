import type { SigningKeyPair } from '../telnyx/signature.ts';
import type { TimestampStyle } from '../telnyx/callback-payloads.ts';
import type { CallbackDelivery } from './callback-sender.ts';
import type { ConversationOptions } from './conversations.ts';

/** What a placed call turns into; `voicemail` = answered by a machine (completed, AMD says machine). */
export const callOutcomes = ['completed', 'no-answer', 'busy', 'failed', 'canceled', 'voicemail'] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/**
 * Injected failures, each a probability per dial request (0..1). The "after placing" kinds place the
 * call (callbacks follow) and then fail the response, the others fail without placing: the client
 * sees the same thing either way, which is exactly the ambiguity the dialer must survive.
 */
export const faultKinds = [
  'rate_limited',
  'server_error',
  'server_error_after_placing',
  'timeout_before_placing',
  'timeout_after_placing',
  'reset_after_placing',
  'garbled_after_placing',
] as const;
export type FaultKind = (typeof faultKinds)[number];
export type Faults = Partial<Record<FaultKind, number>>;

export interface DeliveryOptions {
  /** Extra tries after a non-2xx answer or a connection error (Telnyx retries too). Default 3. */
  retries?: number;
  /** First retry delay; doubles each time. Default 100 ms. */
  retryDelayMs?: number;
  /** Per delivery request. Default 5000 ms. */
  timeoutMs?: number;
  /** Deliveries in flight at once across all calls. Default 256. */
  concurrency?: number;
  /** Probability that a callback is delivered twice (receiver idempotency tests). Default 0. */
  duplicateRate?: number;
  /** Deliver each call's callbacks in a shuffled order (SequenceNumber still tells the truth). */
  reorder?: boolean;
}

export interface CallRecordOptions {
  /** A record stays invisible (404 10005, absent from lists) this long after its dial. Default 0. */
  visibilityDelayMs?: number;
  /** Share of call-record GETs (0..1) answered 429 (10011) with x-ratelimit-* headers. Default 0. */
  rateLimitedRate?: number;
}

export interface SimulatorOptions {
  apiKey?: string;
  /** 0 = a free port. */
  port?: number;
  host?: string;
  /** Time before each dial response (after the call is placed, so callbacks can overtake it). */
  latencyMs?: number;
  /** Weights per outcome; default every call completes. */
  outcomes?: Partial<Record<CallOutcome, number>>;
  /** Decides the outcome of one dial (e.g. by To number); undefined falls back to the weights. */
  decideOutcome?: (body: Record<string, unknown>) => CallOutcome | undefined;
  faults?: Faults;
  /** How long a timeout fault holds the response before answering anyway; default: until the client hangs up. */
  hangMs?: number;
  /** Dial-rate limit; false turns it off. Default 30/s over a rolling 5 s window. */
  rateLimit?: { perSecond: number; windowSeconds: number } | false;
  /** Also send Retry-After with the 90103 429 (Telnyx may or may not). Default false. */
  sendRetryAfter?: boolean;
  /** Account concurrent-call limit: calls beyond it fail through their callbacks (SIP 403). Default none. */
  accountConcurrentCalls?: number;
  /** Connection ids that exist (others get 404 10005). Default: every id exists. */
  connectionIds?: string[];
  /** Connection ids this key may not use (403 10010). */
  forbiddenConnectionIds?: string[];
  /** Gap between a call's successive callbacks. Default 5 ms. */
  callbackDelayMs?: number;
  /** From answer to hang-up of an answered call. Default = callbackDelayMs. */
  callDurationMs?: number;
  delivery?: DeliveryOptions;
  timestampStyle?: TimestampStyle;
  /** Makes outcomes and faults reproducible. */
  seed?: number;
  /** Default: a fresh key pair (its public key is `simulator.publicKey`). */
  signingKey?: SigningKeyPair;
  /**
   * Hosts callbacks may be delivered to besides loopback ones (127.0.0.0/8, ::1, localhost); `'*'`
   * allows every host. Callbacks to other hosts are never sent: they are counted in
   * `simulator.skippedCallbacks`. Default: loopback only.
   */
  allowedCallbackHosts?: readonly string[];
  /** Called once per host the first time a callback to it is skipped (see allowedCallbackHosts). */
  onSkippedHost?: (host: string, url: string) => void;
  /** Called after every callback delivery try (e.g. to log failures when run standalone). */
  onDelivery?: (delivery: CallbackDelivery) => void;
  /** The account id callbacks carry as AccountSid and call-record URLs name. Default: a random one. */
  accountSid?: string;
  /** Call records (GET .../Calls): how long after a dial its record becomes visible, and injected 429s. */
  callRecords?: CallRecordOptions;
  /** AI conversations (GET /ai/conversations...): transcript length, when they and their insights appear, faults. */
  conversations?: ConversationOptions;
  /** Share of placed calls (0..1) whose callbacks are never sent, of any kind (a receiver that was down). Default 0. */
  dropCallbacksRate?: number;
  /** Wall clock for signatures and timestamps; tests may inject one. */
  now?: () => number;
}
