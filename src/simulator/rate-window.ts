/**
 * Telnyx's dial-rate limit: at most `perSecond * windowSeconds` dials in any rolling window of
 * `windowSeconds` (30/s over 5 s = 150 by default).
 */
export interface DialRateWindow {
  /** Counts a dial at `nowMs` when there is room; otherwise says when room frees up. */
  tryTake(nowMs: number): { allowed: true; remaining: number } | { allowed: false; resetMs: number };
  limit: number;
}

export function makeDialRateWindow(perSecond: number, windowSeconds: number): DialRateWindow {
  const limit = Math.max(1, Math.floor(perSecond * windowSeconds));
  const windowMs = windowSeconds * 1000;
  const taken: number[] = [];
  let oldest = 0;
  return {
    limit,
    tryTake(nowMs) {
      while (oldest < taken.length && taken[oldest]! <= nowMs - windowMs) oldest += 1;
      // Compact now and then so a long run does not keep every timestamp.
      if (oldest > 10_000) {
        taken.splice(0, oldest);
        oldest = 0;
      }
      const inWindow = taken.length - oldest;
      if (inWindow >= limit) return { allowed: false, resetMs: taken[oldest]! + windowMs - nowMs };
      taken.push(nowMs);
      return { allowed: true, remaining: limit - inWindow - 1 };
    },
  };
}

/** The highest number of instants falling in any window of `windowMs` (e.g. peak dials in 1 s). */
export function peakCountInWindow(instantsMs: number[], windowMs: number): number {
  const sorted = [...instantsMs].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
