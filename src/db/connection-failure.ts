// Node's socket errors on the way to Postgres.
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// Postgres: class 08 (connection exception), and the server shutting down, crashed or still starting
// up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
const serverCodes = new Set(['57P01', '57P02', '57P03']);
// What pg says without a code when the socket ends under a client or a connect times out.
const pgMessages = [/^Connection terminated/, /is not queryable/, /timeout exceeded when trying to connect/];

/**
 * The statement failed because Postgres could not be reached or went away under it (a restart, a
 * crash, a network cut), not because of the statement itself: once Postgres is back, the same
 * statement may succeed. Whether a statement cut this way committed is unknown; retry only what is
 * safe to run twice (conditional updates).
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || serverCodes.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return pgMessages.some((pattern) => pattern.test(error.message));
}

/**
 * Runs `work`, and again (250 ms, doubling up to 5 s) while it fails with a connection failure, until
 * `giveUpAfterMs` has passed; then, or at once on any other error, its error is thrown. `work` must be
 * safe to run twice: a try cut by a lost connection may have committed.
 */
export async function retryWhileUnreachable<T>(work: () => Promise<T>, { giveUpAfterMs = 20_000 }: { giveUpAfterMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + giveUpAfterMs;
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionFailure(error) || Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
