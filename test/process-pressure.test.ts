import { afterEach, describe, expect, it } from 'vitest';
import { makeProcessPressure, type ProcessPressure } from '../src/dialing/process-pressure.ts';
import { waitFor } from './support/wait-for.ts';

/** Holds the event loop for `ms`, as a process short of CPU (or doing too much at once) would. */
function blockLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

describe('process pressure: the signal post-call work gives way to dialing by', () => {
  let pressure: ProcessPressure | undefined;
  afterEach(() => pressure?.stop());

  it('says busy only while dials are in hand and the event loop runs late, and clears when it catches up', { timeout: 30_000 }, async () => {
    pressure = makeProcessPressure({ windowMs: 200, lateLoopMs: 20 });
    const p = pressure;
    // A late loop with no dial in hand: nothing to give way to.
    const lateLoop = setInterval(() => blockLoop(100), 110);
    try {
      await waitFor(() => p.lateMs() > 20, { description: 'the loop to be measured late' });
      expect(p.busy()).toBe(false);
      let release!: () => void;
      const dial = p.dialing(() => new Promise<void>((resolve) => (release = resolve)));
      expect(p.busy()).toBe(true);
      release();
      await dial;
      expect(p.busy()).toBe(false);
      const again = p.dialing(() => new Promise<void>((resolve) => (release = resolve)));
      clearInterval(lateLoop);
      await waitFor(() => !p.busy(), { description: 'the signal to clear once the loop is on time again' });
      expect(p.lateMs()).toBeLessThan(20);
      release();
      await again;
    } finally {
      clearInterval(lateLoop);
    }
  });
});
