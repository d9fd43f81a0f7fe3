import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { DialerError } from '../errors.ts';
import { cliImportWording, type ImportWording } from './import-wording.ts';

/**
 * Passes bytes through unchanged after checking they are valid UTF-8, so nothing mangled is ever
 * stored. A multi-byte character split across chunks is carried over to the next chunk.
 * The error names the byte offset and line of the first bad byte.
 */
export function makeUtf8Guard(wording: ImportWording = cliImportWording('the file')): Transform {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0; // file offset of the first byte of `carry` + the current chunk
  let newlinesBefore = 0;
  const check = (bytes: Buffer, final: boolean): Buffer => {
    const complete = final ? bytes.length : completeLength(bytes);
    const body = bytes.subarray(0, complete);
    if (!isUtf8(body)) {
      const bad = firstInvalidByte(body);
      const line = newlinesBefore + countNewlines(body.subarray(0, bad)) + 1;
      throw new DialerError(
        'invalid_input',
        `file is not valid UTF-8: byte 0x${body[bad]!.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${offset + bad} (line ${line}); ` +
          `if it was saved by Excel or another legacy program, ${wording.retryWith('encoding', 'windows-1252')} (or latin1)`,
        wording.field('encoding'),
      );
    }
    newlinesBefore += countNewlines(body);
    offset += complete;
    carry = Buffer.from(bytes.subarray(complete));
    return body;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      try {
        done(null, check(carry.length ? Buffer.concat([carry, chunk]) : chunk, false));
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        const rest = check(carry, true);
        done(null, rest.length ? rest : undefined);
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

// Length of `bytes` without a trailing, possibly incomplete multi-byte sequence.
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

// Only called once a chunk is known to be invalid: the offset of the first byte that starts no valid
// character (well-formed sequences per the Unicode standard, table 3-7).
function firstInvalidByte(bytes: Buffer): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index++;
      continue;
    }
    const [length, secondMin, secondMax] =
      lead >= 0xc2 && lead <= 0xdf
        ? [2, 0x80, 0xbf]
        : lead === 0xe0
          ? [3, 0xa0, 0xbf]
          : lead === 0xed
            ? [3, 0x80, 0x9f]
            : lead >= 0xe1 && lead <= 0xef
              ? [3, 0x80, 0xbf]
              : lead === 0xf0
                ? [4, 0x90, 0xbf]
                : lead === 0xf4
                  ? [4, 0x80, 0x8f]
                  : lead >= 0xf1 && lead <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : [0, 0, 0];
    if (length === 0 || index + length > bytes.length) return index;
    const second = bytes[index + 1]!;
    if (second < secondMin || second > secondMax) return index;
    for (let next = 2; next < length; next++) if ((bytes[index + next]! & 0xc0) !== 0x80) return index;
    index += length;
  }
  return 0;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) count++;
  return count;
}
