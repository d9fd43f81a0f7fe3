/**
 * Figures for the console's pages, served stale-while-revalidate: a read gets the last snapshot at
 * once and, when it is older than `maxAgeMs`, starts one refresh in the background (never two at a
 * time per key, whatever the number of viewers polling). Only the first read of a key waits. Counting
 * a campaign of a million contacts takes longer than a page may (see BENCHMARKS.md), so its page shows
 * figures at most `maxAgeMs` plus one count old; a change made through this server drops the snapshot
 * (`forget`), so its result shows on the very next page.
 */
export function makeSnapshotCache<T>(load: (key: string) => Promise<T>, { maxAgeMs, onError }: { maxAgeMs: number; onError: (error: unknown) => void }) {
  const entries = new Map<string, { value: T; at: number; readAt: number }>();
  const loading = new Map<string, { promise: Promise<T>; generation: number }>();
  // forget() moves a key to a new generation: a count started before the change must not be stored after it.
  const generations = new Map<string, number>();
  const generationOf = (key: string) => generations.get(key) ?? 0;

  const refresh = (key: string): Promise<T> => {
    const generation = generationOf(key);
    const running = loading.get(key);
    if (running?.generation === generation) return running.promise;
    const started = Date.now();
    const promise = load(key)
      .then((value) => {
        if (generationOf(key) === generation) entries.set(key, { value, at: started, readAt: entries.get(key)?.readAt ?? Date.now() });
        return value;
      })
      .finally(() => {
        if (loading.get(key)?.promise === promise) loading.delete(key);
      });
    loading.set(key, { promise, generation });
    all.add(promise);
    promise.catch(() => undefined).finally(() => all.delete(promise));
    return promise;
  };
  const all = new Set<Promise<T>>();

  return {
    async read(key: string): Promise<T> {
      const now = Date.now();
      const entry = entries.get(key);
      if (!entry) return refresh(key);
      entry.readAt = now;
      if (now - entry.at > maxAgeMs) refresh(key).catch(onError);
      // Keys nobody reads for a minute are let go.
      for (const [other, each] of entries) if (now - each.readAt > 60_000) entries.delete(other);
      return entry.value;
    },
    forget(key: string): void {
      entries.delete(key);
      generations.set(key, generationOf(key) + 1);
    },
    /** Resolves once no refresh is running (before the pool closes). */
    async settled(): Promise<void> {
      while (all.size > 0) await Promise.allSettled([...all]);
    },
  };
}
