/**
 * Waits and requests that end together when the simulator closes. Plain timers and a Set, not
 * AbortSignal listeners: thousands of calls wait at once, and EventTarget listener bookkeeping grows
 * quadratically with that many.
 */
export interface Stopper {
  readonly stopped: boolean;
  /** Resolves after `ms`, or at once when stopped. */
  wait(ms: number): Promise<void>;
  /** Aborts `controller` when stopped; call the returned function once done with it. */
  track(controller: AbortController): () => void;
  /** Runs `cleanup` when stopped. */
  onStop(cleanup: () => void): void;
  stop(): void;
}

export function makeStopper(): Stopper {
  const waits = new Map<NodeJS.Timeout, () => void>();
  const controllers = new Set<AbortController>();
  const cleanups: (() => void)[] = [];
  let stopped = false;
  return {
    get stopped() {
      return stopped;
    },
    wait(ms) {
      if (stopped) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waits.delete(timer);
          resolve();
        }, ms);
        waits.set(timer, resolve);
      });
    },
    track(controller) {
      if (stopped) controller.abort();
      controllers.add(controller);
      return () => controllers.delete(controller);
    },
    onStop(cleanup) {
      cleanups.push(cleanup);
    },
    stop() {
      stopped = true;
      for (const [timer, resolve] of waits) {
        clearTimeout(timer);
        resolve();
      }
      waits.clear();
      for (const controller of controllers) controller.abort();
      controllers.clear();
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
