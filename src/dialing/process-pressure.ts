import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessPressureOptions {
  /** The event loop counts as late when its mean delay over a window exceeds this. Default 5 ms. */
  lateLoopMs?: number;
  /** How often the delay is judged (and its histogram cleared). Default 1000 ms. */
  windowMs?: number;
}

export const defaultLateLoopMs = 5;
export const defaultPressureWindowMs = 1000;
/** The sampling timer's period; the histogram's values include it, so it is taken off. */
const sampleEveryMs = 10;

export interface ProcessPressure {
  /** Runs one dial job, counted as in hand while it runs. */
  dialing<T>(job: () => Promise<T>): Promise<T>;
  /** True while this process has dial jobs in hand and its event loop ran late over the last window. */
  busy(): boolean;
  /** The last window's mean event-loop delay, in ms (for logs). */
  lateMs(): number;
  stop(): void;
}

/**
 * Whether dialing in this process is short of CPU, for work of lower priority (post-call reads) to back
 * off. Dials and post-call reads share one event loop: when callbacks queue up (the process does too
 * much, or the machine gives it too little CPU), every dial step waits behind them. Judged per window
 * (not per read), so one slow tick does not flip it; and only while dials are in hand, so a process
 * with nothing to dial never slows its post-call work.
 */
export function makeProcessPressure(options: ProcessPressureOptions = {}): ProcessPressure {
  const lateLoopMs = options.lateLoopMs ?? defaultLateLoopMs;
  const histogram = monitorEventLoopDelay({ resolution: sampleEveryMs });
  histogram.enable();
  let inHand = 0;
  let late = 0;
  const timer = setInterval(() => {
    late = histogram.count > 0 ? Math.max(0, histogram.mean / 1e6 - sampleEveryMs) : 0;
    histogram.reset();
  }, options.windowMs ?? defaultPressureWindowMs);
  timer.unref();
  return {
    async dialing(job) {
      inHand += 1;
      try {
        return await job();
      } finally {
        inHand -= 1;
      }
    },
    busy: () => inHand > 0 && late > lateLoopMs,
    lateMs: () => late,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
