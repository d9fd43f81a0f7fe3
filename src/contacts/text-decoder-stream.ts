import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';
import { DialerError } from '../errors.ts';

export const supportedEncodings = ['utf-8', 'latin1', 'windows-1252'] as const;
export type SupportedEncoding = (typeof supportedEncodings)[number];

const aliases: Record<string, SupportedEncoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
};

export function parseEncodingOption(value: string): SupportedEncoding {
  const encoding = aliases[value.trim().toLowerCase()];
  if (!encoding) throw new DialerError('invalid_input', `unsupported encoding ${JSON.stringify(value)}: use utf-8, latin1 or windows-1252`, 'encoding');
  return encoding;
}

/**
 * Decodes a legacy single-byte encoding to text. windows-1252 leaves five bytes undefined; iconv-lite
 * turns them into U+FFFD, which would be stored as mangled text, so they are refused instead.
 */
export function makeLegacyDecoder(encoding: Exclude<SupportedEncoding, 'utf-8'>): Transform {
  const decoder = iconv.getDecoder(encoding);
  let offset = 0;
  return new Transform({
    readableObjectMode: true, // emits strings
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      const text = decoder.write(chunk);
      const bad = text.indexOf('\uFFFD');
      // Single-byte encodings: character index = byte index.
      if (bad !== -1) return done(undefinedByteError(encoding, chunk[bad]!, offset + bad));
      offset += chunk.length;
      done(null, text);
    },
    flush(done: TransformCallback) {
      const rest = decoder.end();
      done(null, rest || undefined);
    },
  });
}

function undefinedByteError(encoding: string, byte: number, offset: number): DialerError {
  return new DialerError(
    'invalid_input',
    `byte 0x${byte.toString(16).toUpperCase()} at byte offset ${offset} is not a character in ${encoding}; is the file in another encoding?`,
    'encoding',
  );
}
