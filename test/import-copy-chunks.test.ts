import { describe, expect, it } from 'vitest';
import { makeCopyChunks } from '../src/contacts/copy-chunks.ts';

describe('makeCopyChunks', () => {
  it('hands out every byte once, in order, across full chunks, huge batches and recycled rounds', () => {
    const chunks = makeCopyChunks();
    for (let round = 0; round < 3; round++) {
      // Batches of mixed sizes, multi-byte characters included, one larger than a whole chunk.
      const batches = Array.from({ length: 40 }, (_, i) => `${round}:${i}:${'é€x'.repeat(i === 17 ? 100_000 : 1 + ((i * 997) % 9_000))}\n`);
      const sent = batches.flatMap((text) => chunks.append(text));
      const rest = chunks.takeRest();
      if (rest) sent.push(rest);
      expect(Buffer.concat(sent).toString('utf8')).toBe(batches.join(''));
      chunks.recycle();
    }
  });
});
