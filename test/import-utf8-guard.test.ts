import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { makeUtf8Guard } from '../src/contacts/utf8-guard.ts';

const guard = (chunks: Buffer[]) => buffer(Readable.from(chunks).pipe(makeUtf8Guard()));

describe('makeUtf8Guard', () => {
  it('passes valid UTF-8 through unchanged when characters are split across chunks', async () => {
    const text = Buffer.from('name\nZoë €uro 😀\n');
    // Split at every offset, so every multi-byte character is cut in every possible place.
    for (let at = 1; at < text.length; at++) {
      expect((await guard([text.subarray(0, at), text.subarray(at)])).equals(text)).toBe(true);
    }
  });

  it.each([
    ['a lone continuation byte', Buffer.from([0x61, 0x0a, 0x62, 0x80]), 3, 2],
    ['an overlong encoding', Buffer.from([0x0a, 0x0a, 0xc0, 0xaf]), 2, 3],
    ['a UTF-16 surrogate', Buffer.from([0x61, 0xed, 0xa0, 0x80]), 1, 1],
    ['a truncated character at the end of the file', Buffer.from([0x61, 0x0a, 0xe2, 0x82]), 2, 2],
  ])('refuses %s, naming the byte offset and line', async (_case, bytes, offset, line) => {
    await expect(guard([bytes])).rejects.toThrow(new RegExp(`at byte offset ${offset} \\(line ${line}\\)`));
  });
});
