/**
 * The one domain error type. `code` says what went wrong for programs; `message` says it for people
 * (one line, never a secret); `field` names the offending input where there is one (a config path,
 * a CSV column, an HTTP body key).
 */
export type DialerErrorCode =
  'invalid_config' | 'invalid_input' | 'not_found' | 'conflict' | 'invalid_state' | 'import_failed' | 'telnyx_error' | 'unauthorized' | 'too_large';

/** The HTTP status each error answers with, in the API and the console alike. */
export const httpStatusByCode: Record<DialerErrorCode, number> = {
  invalid_config: 400,
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  import_failed: 422,
  telnyx_error: 502,
  unauthorized: 401,
  too_large: 413,
};

export class DialerError extends Error {
  override readonly name = 'DialerError';
  constructor(
    readonly code: DialerErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function isDialerError(error: unknown, code?: DialerErrorCode): error is DialerError {
  return error instanceof DialerError && (code === undefined || error.code === code);
}

/** Why an error happened, in one line for an operator; `unavailable` when the fault is a service (Postgres) rather than the request. */
export interface FailureReason {
  message: string;
  unavailable: boolean;
}

/**
 * The one-line reason of any error. Postgres out of reach, a missing database and missing tables say
 * so and what to do, whether pg or Prisma raised them (Prisma's driver adapter keeps pg's code in
 * `meta.driverAdapterError.cause`); every other message is cut to one line: Prisma's start with a
 * code frame of the call site (`Invalid \`prisma.campaign.findMany()\` invocation in ...`) and end
 * with the reason, which is what is kept.
 */
export function explainFailure(error: unknown): FailureReason {
  if (error instanceof DialerError) return { message: error.message, unavailable: false };
  const chain = causeChain(error);
  const has = (codes: readonly string[]) => chain.some((link) => codes.includes(link.code));
  const reason = oneLine(errorMessage(error));
  const bare = reason.replace(/\.$/, '');
  if (has(unreachableCodes) || lostConnection.test(reason)) return { message: `cannot connect (${bare}); is the service running?`, unavailable: true };
  if (has(missingDatabaseCodes)) return { message: `${bare}: run dialer migrate (it creates the database and its tables)`, unavailable: true };
  if (has(missingTableCodes)) return { message: `the database is not migrated (${bare}): run dialer migrate`, unavailable: true };
  return { message: reason, unavailable: false };
}

// Node's socket errors (pg, ioredis) and Prisma's P1001 "can't reach" / P1017 "server closed the connection".
// Postgres's own 57P01-57P03: shutting down, crashed, or still starting up (after a restart, crash recovery).
const unreachableCodes = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'P1001',
  'P1017',
  'DatabaseNotReachable',
  '57P01',
  '57P02',
  '57P03',
];
// pg's errors for a connection that died under a query (Postgres restarted) carry no code.
const lostConnection = /^Connection terminated unexpectedly|connection error and is not queryable/;
// Postgres invalid_catalog_name; Prisma P1003 "database does not exist".
const missingDatabaseCodes = ['3D000', 'P1003'];
// Postgres undefined_table, undefined_column and undefined_object (an enum type; an older schema); Prisma P2021 / P2022, the same.
const missingTableCodes = ['42P01', '42703', '42704', 'P2021', 'P2022'];

/** The error and what it wraps (`cause`, AggregateError's `errors`, Prisma's driver adapter error), each with the codes it carries. */
function causeChain(error: unknown): { code: string }[] {
  const links: { code: string }[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 5) return;
    seen.add(value);
    const record = value as {
      code?: unknown;
      kind?: unknown;
      originalCode?: unknown;
      cause?: unknown;
      errors?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    for (const code of [record.code, record.kind, record.originalCode]) if (typeof code === 'string') links.push({ code });
    visit(record.cause, depth + 1);
    visit(record.meta?.driverAdapterError, depth + 1);
    if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return links;
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message.trim()) return error.message;
  // Node's AggregateError of a connect to every address of a host has no message of its own.
  const inner = error instanceof AggregateError ? error.errors.map((each) => (each instanceof Error ? each.message : String(each))).filter(Boolean) : [];
  return inner.length ? inner.join('; ') : error.name;
}

/** Prisma's "Invalid `...` invocation in <file>:<line>" + code frame + reason keeps its last line; any other message is joined into one. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (/^Invalid `.*` invocation/.test(lines[0] ?? '')) return lines.at(-1) ?? message.trim();
  return lines.join(' ');
}
