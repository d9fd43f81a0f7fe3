const chunkBytes = 256 * 1024;

/**
 * COPY text as bytes in fixed-size chunks that are reused round after round, not a new Buffer per
 * batch: buffers held while Postgres merges get promoted, and their memory comes back only at a major
 * GC, which V8 puts off until much external memory has piled up, so dead buffers would sit on top of
 * the live ones (BENCHMARKS.md, Import and Upload). A chunk is reused only once the COPY that
 * sent it has finished, since the socket may still be writing from it until then.
 */
export function makeCopyChunks() {
  const free: Buffer[] = [];
  const sent: Buffer[] = [];
  let current: Buffer | undefined;
  let used = 0;
  const close = (): Buffer | undefined => {
    const filled = current?.subarray(0, used);
    if (current) sent.push(current);
    current = undefined;
    used = 0;
    return filled?.length ? filled : undefined;
  };
  return {
    /** Appends text; returns the chunks it filled, to be sent now. */
    append(text: string): Buffer[] {
      const length = Buffer.byteLength(text);
      if (length > chunkBytes) return [close(), Buffer.from(text)].filter((chunk) => chunk !== undefined); // rare: one huge batch
      const filled = current && used + length > chunkBytes ? close() : undefined;
      current ??= free.pop() ?? Buffer.allocUnsafe(chunkBytes);
      used += current.write(text, used);
      return filled ? [filled] : [];
    },
    /** The partly filled chunk, to be sent before a COPY ends. */
    takeRest(): Buffer | undefined {
      return close();
    },
    /** Every chunk handed out so far has been sent by a finished COPY: they can be filled again. */
    recycle(): void {
      free.push(...sent.splice(0));
    },
  };
}
