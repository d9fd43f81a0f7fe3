import { describe, expect, it } from 'vitest';
import { makeSnapshotCache } from '../src/console/snapshot-cache.ts';

/** A load whose every call waits until the test releases it, so the order of events is the test's. */
function controlledLoad() {
  const calls: Array<{ key: string; release: (value: string) => void }> = [];
  const load = (key: string) => new Promise<string>((resolve) => calls.push({ key, release: resolve }));
  return { calls, load };
}

describe('console snapshot cache', () => {
  it('waits for the first count only, then answers at once and recounts one at a time in the background', async () => {
    const { calls, load } = controlledLoad();
    const cache = makeSnapshotCache(load, { maxAgeMs: -1, onError: () => undefined });
    const first = cache.read('a');
    const second = cache.read('a');
    expect(calls).toHaveLength(1); // two viewers, one count
    calls[0]!.release('v1');
    expect(await first).toBe('v1');
    expect(await second).toBe('v1');
    // Always stale (maxAge -1): the old figures now, one recount started, not two.
    expect(await cache.read('a')).toBe('v1');
    expect(await cache.read('a')).toBe('v1');
    expect(calls).toHaveLength(2);
    calls[1]!.release('v2');
    await cache.settled();
    expect(await cache.read('a')).toBe('v2');
    calls[2]!.release('v3');
    await cache.settled();
  });

  it('after forget, the next read counts afresh and a count started before the change is never stored', async () => {
    const { calls, load } = controlledLoad();
    const cache = makeSnapshotCache(load, { maxAgeMs: 60_000, onError: () => undefined });
    const first = cache.read('a');
    calls[0]!.release('before');
    await first;
    cache.forget('a');
    const afterChange = cache.read('a');
    expect(calls).toHaveLength(2);
    calls[1]!.release('after');
    expect(await afterChange).toBe('after');

    // A recount in flight when the change happens: its result is returned to its reader but not kept.
    const zero = makeSnapshotCache(load, { maxAgeMs: -1, onError: () => undefined });
    const seed = zero.read('b');
    calls[2]!.release('b1');
    await seed;
    expect(await zero.read('b')).toBe('b1'); // starts recount calls[3]
    expect(calls).toHaveLength(4);
    zero.forget('b');
    const fresh = zero.read('b'); // a new count, not the one in flight
    expect(calls).toHaveLength(5);
    calls[3]!.release('b-old');
    calls[4]!.release('b-new');
    expect(await fresh).toBe('b-new');
    await zero.settled();
    expect(await zero.read('b')).toBe('b-new'); // kept: b-old was dropped
    calls[5]!.release('b-later');
    await zero.settled();
    await cache.settled();
  });
});
