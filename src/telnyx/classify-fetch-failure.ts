import type { DialResult } from './dial-result.ts';

// Failures that happen before a single byte of the HTTP request is written (see the table in client.ts).
const dnsCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const connectCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);
const preHandshakeCodes = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  syscall?: unknown;
  cause?: unknown;
  errors?: unknown[];
}

/** Classifies a rejected fetch(): `notSent` only when the failure provably precedes sending. */
export function classifyFetchFailure(error: unknown, timeoutMs: number): DialResult {
  const top = error as ErrorLike;
  // Our AbortSignal fires at any stage (connecting, writing, waiting): fetch does not say which.
  if (top?.name === 'TimeoutError' || top?.name === 'AbortError') {
    return { kind: 'ambiguous', reason: `no response within ${timeoutMs} ms (the call may have been placed)` };
  }
  const leaves = leafCauses(top?.cause ?? top);
  const reason = leaves.map(describe).join('; ') || describe(top);
  return leaves.length > 0 && leaves.every(isPreSend)
    ? { kind: 'notSent', reason }
    : { kind: 'ambiguous', reason: `${reason} (the call may have been placed)` };
}

// Happy-eyeballs connects report an AggregateError holding one error per address tried.
function leafCauses(error: unknown): ErrorLike[] {
  if (!error || typeof error !== 'object') return [];
  const candidate = error as ErrorLike;
  if (Array.isArray(candidate.errors) && candidate.errors.length > 0) return candidate.errors.flatMap(leafCauses);
  return [candidate];
}

function isPreSend(error: ErrorLike): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  if (dnsCodes.has(code) || preHandshakeCodes.has(code)) return true;
  if (connectCodes.has(code)) return error.syscall === undefined || error.syscall === 'connect';
  // fetch refuses "bad ports" (e.g. 1, 25) before opening any connection.
  return error.message === 'bad port';
}

function describe(error: ErrorLike): string {
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = error?.message ?? String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
