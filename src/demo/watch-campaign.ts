import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.ts';
import { progressFingerprint, readDemoSnapshot, type DemoSnapshot } from './demo-snapshot.ts';
import type { ProgressLine } from './progress-line.ts';

export type WatchEnd = 'settled' | 'stalled' | 'paused' | 'interrupted';

export interface WatchOptions {
  progress: ProgressLine;
  /** Give up when nothing has changed for this long. */
  stallMs: number;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  everyMs?: number;
}

/**
 * Polls the campaign until nothing more will happen before a calling window opens (settled), nothing
 * has happened for `stallMs` (stalled), the dialer paused it (e.g. Telnyx refused the credentials), or
 * the operator interrupts.
 */
export async function watchCampaign(app: App, campaignId: string, options: WatchOptions): Promise<{ end: WatchEnd; snapshot: DemoSnapshot }> {
  const startedAt = Date.now();
  let lastChange = Date.now();
  let lastFingerprint = '';
  for (;;) {
    const snapshot = await readDemoSnapshot(app, campaignId);
    options.progress.update(describeProgress(snapshot, Date.now() - startedAt));
    const fingerprint = progressFingerprint(snapshot);
    if (fingerprint !== lastFingerprint) {
      lastFingerprint = fingerprint;
      lastChange = Date.now();
    }
    if (snapshot.settled) return { end: 'settled', snapshot };
    if (snapshot.status.status === 'paused') return { end: 'paused', snapshot };
    if (Date.now() - lastChange > options.stallMs) return { end: 'stalled', snapshot };
    if (options.signal.aborted) return { end: 'interrupted', snapshot };
    await sleep(options.everyMs ?? 250, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

const shownStates = ['pending', 'queued', 'dialing', 'in_call', 'completed', 'no_answer', 'busy', 'failed', 'suppressed'] as const;

export function describeProgress(snapshot: DemoSnapshot, elapsedMs: number): string {
  const { status } = snapshot;
  const states = shownStates.map((state) => `${state} ${status.contacts[state]}`).join(' ');
  return (
    `${(elapsedMs / 1000).toFixed(1).padStart(5)}s  ${states} | ${snapshot.dialsPerSecond.toFixed(1)} dials/s | ` +
    `${status.callsInProgress} in progress | ${snapshot.waiting} waiting for their window`
  );
}
