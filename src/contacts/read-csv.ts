import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { DialerError } from '../errors.ts';
import { detectDelimiter } from './detect-delimiter.ts';
import { cliImportWording, type ImportWording } from './import-wording.ts';
import { makeLegacyDecoder, type SupportedEncoding } from './text-decoder-stream.ts';
import { makeUtf8Guard } from './utf8-guard.ts';

/** One CSV record with its row number as a spreadsheet shows it (header = row 1, blank lines count). */
export interface CsvRecord {
  row: number;
  fields: string[];
}

export interface CsvReader {
  header: string[];
  delimiter: string;
  totalBytes: number;
  bytesRead(): number;
  /** The data records after the header, in batches (fewer awaits per record than one at a time). */
  batches(): AsyncGenerator<CsvRecord[]>;
  /** Stops reading (the file is closed); safe to call at any time. */
  close(): void;
}

// Small enough that a batch's records die young (larger batches raise the peak heap), large
// enough that the awaits per batch cost nothing per row. Figures: BENCHMARKS.md, Import.
const batchSize = 250;
// fs's own default: larger chunks raise an import's peak RSS (more heap and array buffers held at
// once) without making it faster. Figures: BENCHMARKS.md, Import.
const readChunkBytes = 64 * 1024;
// A record larger than this is almost always an unclosed quote swallowing the file: stop early.
const maxRecordBytes = 1_000_000;

/**
 * Opens a CSV file as a stream of records: validates UTF-8 (or decodes a legacy encoding), strips a
 * BOM, detects the delimiter from the header line unless given, and reads the header.
 */
export async function openCsv(
  file: string,
  options: { delimiter?: string | undefined; encoding?: SupportedEncoding | undefined; wording?: ImportWording | undefined } = {},
): Promise<CsvReader> {
  // Messages name the file as the operator knows it (an upload by its file name, never a server path).
  const wording = options.wording ?? cliImportWording(file);
  const name = wording.file;
  const totalBytes = await sizeOfReadableFile(file, name);
  if (totalBytes === 0) throw new DialerError('invalid_input', `${name} is empty: expected a header line and at least one row`, 'file');
  let bytesRead = 0;
  const bytes = createReadStream(file, { highWaterMark: readChunkBytes }).on('data', (chunk) => (bytesRead += chunk.length));
  const text = options.encoding && options.encoding !== 'utf-8' ? makeLegacyDecoder(options.encoding) : makeUtf8Guard(wording);
  // pipeline() destroys every stage with the first error, so it surfaces where the records are read.
  pipeline(bytes, text).catch(() => {});

  const { head, rest } = await readHeadLine(text);
  const delimiter = options.delimiter ?? detectDelimiter(stripBom(head));
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true, // a row with the wrong field count is judged by us (empty extras are dropped), with its row number
    relax_quotes: true, // a stray quote inside an unquoted field is kept as text
    // Blank lines come through as one empty field: counted as rows (as a spreadsheet shows them) and
    // skipped as blank later. Counting ourselves avoids `info`, which adds a cost to every record.
    skip_empty_lines: false,
    max_record_size: maxRecordBytes,
  });
  pipeline(Readable.from(rest), parser).catch(() => {});
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await nextRecord(records);
  if (first.done) {
    bytes.destroy();
    throw new DialerError('invalid_input', `${name} has no header line`, 'file');
  }
  const header = first.value;
  if (header.every((name) => name.trim() === '')) {
    bytes.destroy();
    throw new DialerError('invalid_input', `${name}: the first line is blank; it must be the header (column names)`, 'file');
  }
  const close = () => {
    bytes.destroy();
    parser.destroy();
  };

  return {
    header,
    delimiter,
    totalBytes,
    bytesRead: () => bytesRead,
    close,
    async *batches() {
      let batch: CsvRecord[] = [];
      let row = 1; // the header
      for (let next = await nextRecord(records); !next.done; next = await nextRecord(records)) {
        batch.push({ row: ++row, fields: next.value });
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  };
}

async function sizeOfReadableFile(file: string, name: string): Promise<number> {
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new DialerError('invalid_input', `${name} is not a file`, 'file');
    return stats.size;
  } catch (error) {
    if (error instanceof DialerError) throw error;
    throw new DialerError('invalid_input', `cannot read ${name}: ${(error as Error).message.replaceAll(file, name)}`, 'file');
  }
}

// The text up to the first line break (for delimiter detection), and every chunk to parse.
async function readHeadLine(text: AsyncIterable<Buffer | string>): Promise<{ head: string; rest: AsyncIterable<Buffer | string> }> {
  const iterator = text[Symbol.asyncIterator]();
  const seen: (Buffer | string)[] = [];
  let head = '';
  for (;;) {
    const next = await iterator.next().catch(wrapReadError);
    if (next.done) break;
    seen.push(next.value);
    head += typeof next.value === 'string' ? next.value : next.value.toString('utf8');
    const lineEnd = head.search(/[\r\n]/);
    if (lineEnd !== -1) {
      head = head.slice(0, lineEnd);
      break;
    }
    if (head.length > maxRecordBytes) break;
  }
  async function* rest() {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head, rest: rest() };
}

async function nextRecord<T>(records: AsyncIterator<T>): Promise<IteratorResult<T>> {
  return records.next().catch(wrapReadError);
}

function wrapReadError(error: unknown): never {
  if (error instanceof DialerError) throw error;
  if (error instanceof CsvError) throw new DialerError('invalid_input', `cannot parse the CSV: ${error.message}`, 'file');
  throw new DialerError('import_failed', `cannot read the file: ${(error as Error).message}`, 'file');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
