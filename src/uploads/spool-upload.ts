import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DialerError } from '../errors.ts';

export interface SpooledUpload {
  file: string;
  name: string;
  /** Text fields of a multipart form that came before its file part. */
  fields: Record<string, string>;
}

/**
 * Writes the CSV of an upload into `directory`: the raw body (text/csv), or the one file part of a
 * multipart/form-data body. Returns the spooled file and the name the operator knows the upload by
 * (the form's file name, else the fileName query parameter, else "the upload"), and the form's text
 * fields sent before the file (the console's CSRF token). Refuses (413) an upload over `maxBytes`, and
 * (400) a form with more than one file.
 */
export async function spoolUpload(
  request: FastifyRequest,
  reply: FastifyReply,
  directory: string,
  queryFileName: string | undefined,
  maxBytes: number,
): Promise<SpooledUpload> {
  const tooLarge = () => {
    // The rest of the body is not read: the connection is closed after the answer instead.
    reply.header('connection', 'close');
    return new DialerError('too_large', `the upload is larger than the limit of ${maxBytes} bytes (MAX_UPLOAD_BYTES)`, 'file');
  };
  if (request.body instanceof Readable) {
    if (Number(request.headers['content-length']) > maxBytes) throw tooLarge();
    const file = path.join(directory, queryFileName ?? 'upload.csv');
    await spoolAtMost(request.body, file, maxBytes, tooLarge);
    return { file, name: queryFileName ?? 'the upload', fields: {} };
  }
  if (request.isMultipart()) {
    const files = request.files();
    const first = await files.next();
    if (first.done) throw new DialerError('invalid_input', 'the multipart upload has no file part: send the CSV as a file field', 'file');
    const name = safeFileName(first.value.filename) ?? queryFileName;
    const file = path.join(directory, name ?? 'upload.csv');
    await pipeline(first.value.file, createWriteStream(file));
    // The parser stops a file part at the limit and marks it truncated.
    if (first.value.file.truncated) throw tooLarge();
    const second = await files.next();
    if (!second.done) {
      second.value.file.resume();
      throw new DialerError('invalid_input', 'the form has more than one file: send one CSV file per upload', 'file');
    }
    return { file, name: name ?? 'the upload', fields: textFields(first.value.fields) };
  }
  throw new DialerError('invalid_input', 'send the CSV as the request body with content-type: text/csv, or as a multipart/form-data file', 'content-type');
}

/**
 * Copies a request body to `file`, failing with `tooLarge()` past `maxBytes`. The body is unpiped, not
 * destroyed, on failure: destroying the request would destroy its socket and the 413 with it.
 */
async function spoolAtMost(body: Readable, file: string, maxBytes: number, tooLarge: () => Error): Promise<void> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? tooLarge() : null, chunk);
    },
  });
  // pipe() does not pass a client's abort on; destroying a finished counter later is harmless.
  body.once('error', (error) => counter.destroy(error)).pipe(counter);
  try {
    await pipeline(counter, createWriteStream(file));
  } catch (error) {
    body.unpipe(counter);
    throw error;
  }
}

// The client's file name is kept for the import record; only its last segment, in safe characters.
function safeFileName(name: string | undefined): string | undefined {
  const base = path
    .basename(name ?? '')
    .replace(/[^A-Za-z0-9._ -]/g, '_')
    .slice(0, 120);
  return /^[.\s]*$/.test(base) ? undefined : base;
}

function textFields(fields: Record<string, unknown>): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = (Array.isArray(field) ? field[0] : field) as { type?: string; value?: unknown } | undefined;
    if (value?.type === 'field' && typeof value.value === 'string') text[name] = value.value;
  }
  return text;
}
