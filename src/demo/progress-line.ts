export interface ProgressLine {
  update(text: string): void;
  /** Leaves the terminal on a clean line. */
  done(): void;
}

/**
 * On a terminal, one line rewritten in place; elsewhere (a log, a pipe) a line every `everyMs`, so
 * the output stays readable without thousands of lines.
 */
export function makeProgressLine(stream: NodeJS.WriteStream, everyMs = 3000): ProgressLine {
  let lastPrinted = 0;
  let shown = false;
  return {
    update(text) {
      if (stream.isTTY) {
        const width = stream.columns ? stream.columns - 1 : text.length;
        stream.write(`\r\x1b[2K${text.slice(0, width)}`);
        shown = true;
        return;
      }
      if (Date.now() - lastPrinted < everyMs) return;
      lastPrinted = Date.now();
      stream.write(`${text}\n`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
