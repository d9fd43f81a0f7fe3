import type { App } from '../app.ts';
import { listenForShutdown } from '../shutdown.ts';
import { startWorkers } from './run-workers.ts';

/**
 * Runs the workers until SIGTERM or SIGINT, then drains: no new jobs are taken, in-flight dials finish
 * and their results are recorded before the process exits. The signal handlers go in before anything
 * starts (the dial worker takes jobs while the rest is still starting), and a second signal does not
 * cut the drain short: an interrupted dial is exactly the ambiguity we avoid.
 */
export async function runWorkersUntilSignal(app: App, concurrency: number): Promise<void> {
  const shutdown = listenForShutdown(() => app.log.warn('still draining in-flight dials'));
  let workers;
  try {
    workers = await startWorkers(app, { concurrency });
  } catch (error) {
    // Nothing to drain: the handlers go, so the process exits with the error (and a signal ends it).
    shutdown.stop();
    throw error;
  }
  app.log.info({ concurrency, queuePrefix: app.config.QUEUE_PREFIX }, 'dialer worker started');
  const signal = await shutdown.received;
  app.log.info({ signal }, 'draining: finishing in-flight dials');
  await workers.close();
  app.log.info('dialer worker stopped');
  // Drained: nothing more is meant to run here. A connection BullMQ failed to close must not keep the
  // process alive (an unref'd timer only fires if something else holds the event loop open).
  setTimeout(() => process.exit(process.exitCode ?? 0), exitBackstopMs).unref();
}

const exitBackstopMs = 3000;
