import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { CountryCode } from 'libphonenumber-js';
import { phoneColumnNames } from '../contacts/column-plan.ts';
import { detectDelimiter } from '../contacts/detect-delimiter.ts';
import { hintedRejectionsPerFile, normalizePhone } from '../contacts/normalize-phone.ts';
import { toVariableName } from '../contacts/variable-name.ts';
import { DialerError } from '../errors.ts';

export type PhoneRow = { row: number; phone: string } | { row: number; reason: string; raw: string };

/**
 * Reads a CSV of phone numbers row by row (streamed: do-not-call lists can be millions of rows), each
 * normalised to E.164 or rejected with its reason, the way the contact import does (same phone header
 * names, delimiter detection and normalisation, so a listed number matches its contact exactly). The
 * phone column may also be the only column, with or without a header. Row numbers are as a
 * spreadsheet shows them (the header is row 1). Blank rows are skipped.
 */
export async function* readPhoneCsv(path: string, defaultCountry: CountryCode): AsyncGenerator<PhoneRow> {
  const delimiter = detectDelimiter(await readFirstLine(path));
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }));
  let row = 0;
  let phoneColumn: number | undefined;
  let hinted = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (phoneColumn === undefined) {
        const header = findPhoneColumn(record, defaultCountry);
        phoneColumn = header.column;
        if (header.isHeader) continue;
      }
      if (record.every((cell) => cell.trim() === '')) continue;
      const cell = record[phoneColumn] ?? '';
      const normalized = normalizePhone(cell, defaultCountry, { hint: hinted < hintedRejectionsPerFile });
      if (normalized.reason !== undefined) hinted++;
      yield normalized.e164 !== undefined
        ? { row, phone: normalized.e164 }
        : { row, reason: `${JSON.stringify(cell.trim())}: ${normalized.reason}`, raw: record.join(delimiter) };
    }
  } catch (error) {
    if (error instanceof DialerError) throw error;
    throw new DialerError('import_failed', `${path}: cannot read as CSV near row ${row + 1}: ${(error as Error).message}`);
  }
  if (phoneColumn === undefined) throw new DialerError('invalid_input', `${path}: the file is empty`);
}

function findPhoneColumn(firstRecord: string[], defaultCountry: CountryCode): { column: number; isHeader: boolean } {
  const names = firstRecord.map(toVariableName);
  for (const candidate of phoneColumnNames) {
    const index = names.indexOf(candidate);
    if (index !== -1) return { column: index, isHeader: true };
  }
  if (firstRecord.length === 1) {
    // One column: a header of any name, unless the first cell is itself a phone number.
    return { column: 0, isHeader: normalizePhone(firstRecord[0] ?? '', defaultCountry).e164 === undefined };
  }
  throw new DialerError(
    'invalid_input',
    `no phone column: expected a header named ${phoneColumnNames.slice(0, 6).join(', ')} (or similar); found ${firstRecord.map((cell) => JSON.stringify(cell)).join(', ')}`,
    'phone',
  );
}

async function readFirstLine(path: string): Promise<string> {
  const file = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new DialerError('invalid_input', `cannot open ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    return (
      buffer
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/, 1)[0] ?? ''
    );
  } finally {
    await file.close();
  }
}
