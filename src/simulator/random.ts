/** A small seeded generator (mulberry32) so a simulator run with a seed is reproducible. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks a key with probability proportional to its weight; undefined when every weight is 0. */
export function pickWeighted<K extends string>(weights: Partial<Record<K, number>>, random: () => number): K | undefined {
  const entries = Object.entries(weights).filter((entry): entry is [K, number] => typeof entry[1] === 'number' && entry[1] > 0);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [key, weight] of entries) {
    point -= weight;
    if (point < 0) return key;
  }
  return entries.at(-1)?.[0];
}
