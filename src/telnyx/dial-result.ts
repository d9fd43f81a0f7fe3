/**
 * What one dial request came to. Each variant maps to one policy of the dial worker; none of them is
 * ever retried blindly by the client.
 */
export type DialResult =
  /** 200 with a call_sid: the call exists. */
  | { kind: 'accepted'; callSid: string; status: number }
  /** A 4xx other than auth and rate limit: Telnyx refused this request; no call was placed. */
  | { kind: 'rejected'; status: number; code?: string; title?: string; detail?: string; pointer?: string }
  /** 401/403/404: the key or connection is wrong for every contact; no call was placed. */
  | { kind: 'auth'; status: number; code?: string; detail?: string }
  /** 429: no call was placed; wait `retryAfterMs` when Telnyx said how long, else back off. */
  | { kind: 'rateLimited'; status: 429; code?: string; retryAfterMs?: number }
  /** The request provably never reached Telnyx: safe to send again. */
  | { kind: 'notSent'; reason: string }
  /** The call may or may not exist: must NOT be redialed; callbacks or the reconciler decide. */
  | { kind: 'ambiguous'; reason: string; status?: number };

export type DialResultKind = DialResult['kind'];
