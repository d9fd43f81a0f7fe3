/** A SIGINT or SIGTERM asking the process to stop. */
export interface ShutdownSignal {
  /** Resolves with the first signal after listenForShutdown. */
  received: Promise<NodeJS.Signals>;
  /** Removes the handlers: a later signal gets Node's default (the process ends). */
  stop(): void;
}

/**
 * Listens for SIGINT and SIGTERM. Without `onRepeat` the handlers go after the first signal, so a
 * second one ends the process at once; with it, later signals call `onRepeat` instead (a drain that
 * must not be cut short).
 */
export function listenForShutdown(onRepeat?: (signal: NodeJS.Signals) => void): ShutdownSignal {
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((done) => (resolve = done));
  let first = true;
  const handler = (signal: NodeJS.Signals) => {
    if (!first) return onRepeat?.(signal);
    first = false;
    if (!onRepeat) stop();
    resolve(signal);
  };
  const stop = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { received, stop };
}
