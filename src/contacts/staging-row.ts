import type { CountryCode } from 'libphonenumber-js/min';
import { canonicalTimezone } from '../calling-hours/canonical-timezone.ts';
import type { ColumnPlan } from './column-plan.ts';
import { normalizePhone } from './normalize-phone.ts';
import type { CsvRecord } from './read-csv.ts';

export interface Rejection {
  row: number;
  reason: string;
}

export interface ConvertedBatch {
  /** Lines in COPY text format for the staging table (see stagingColumns). */
  copyText: string;
  rowsRead: number;
  valid: number;
  rejections: Rejection[];
}

/** Column order of the COPY text made here; must match the staging table. */
export const stagingColumns = ['row_number', 'id', 'phone', 'variables', 'timezone', 'reason', 'raw'] as const;

/**
 * Turns CSV records into staging rows: the new contact's id, the phone in E.164, the other columns as a JSON object of
 * string variables, the canonical time zone; or, for a bad row, the reason and the row as read.
 * Rows with every field blank (spreadsheets leave them at the end) are skipped, not rejected; so are
 * empty fields after the header's last column.
 */
export function convertRecords(
  records: CsvRecord[],
  plan: ColumnPlan,
  options: {
    defaultCountry: CountryCode;
    delimiter: string;
    nextId: () => string;
    /** Rejected numbers of the file that may still get an other-country hint; shared by its batches. */
    hints?: { remaining: number };
  },
): ConvertedBatch {
  const { defaultCountry, delimiter, nextId } = options;
  const variableKeys = plan.variables.map(({ name }) => JSON.stringify(name));
  let copyText = '';
  let rowsRead = 0;
  let valid = 0;
  const rejections: Rejection[] = [];
  const reject = (record: CsvRecord, reason: string) => {
    rejections.push({ row: record.row, reason });
    copyText += `${record.row}\t\\N\t\\N\t\\N\t\\N\t${escapeCopyText(reason)}\t${escapeCopyText(toCsvLine(record.fields, delimiter))}\n`;
  };
  for (const record of records) {
    const { fields } = record;
    if (isBlank(fields)) continue;
    rowsRead++;
    if (fields.length !== plan.header.length) {
      const problem = fieldCountProblem(fields, plan.header.length);
      if (problem !== undefined) {
        reject(record, problem);
        continue;
      }
    }
    const phone = normalizePhone(fields[plan.phoneIndex]!, defaultCountry, { hint: (options.hints?.remaining ?? 0) > 0 });
    if (phone.reason !== undefined) {
      if (options.hints) options.hints.remaining--;
      reject(record, `phone ${JSON.stringify(fields[plan.phoneIndex])}: ${phone.reason}`);
      continue;
    }
    let timezone: string | undefined;
    const timezoneText = plan.timezoneIndex === undefined ? '' : fields[plan.timezoneIndex]!.trim();
    if (timezoneText) {
      timezone = canonicalTimezone(timezoneText);
      if (!timezone) {
        reject(record, `timezone ${JSON.stringify(timezoneText)} is not an IANA time zone (e.g. America/New_York)`);
        continue;
      }
    }
    let variables = '{';
    for (let index = 0; index < plan.variables.length; index++) {
      if (index) variables += ',';
      variables += `${variableKeys[index]}:${JSON.stringify(fields[plan.variables[index]!.index]!.trim())}`;
    }
    variables += '}';
    valid++;
    copyText += `${record.row}\t${nextId()}\t${phone.e164}\t${escapeCopyText(variables)}\t${timezone ?? '\\N'}\t\\N\t\\N\n`;
  }
  return { copyText, rowsRead, valid, rejections };
}

// At most this many non-empty extra fields are named in a reason (the raw row has them all).
const maxNamedExtraFields = 3;

/**
 * Why a row whose field count differs from the header's is rejected, or undefined when every extra
 * field is empty: spreadsheets export trailing empty cells as trailing delimiters (`a,b,c,,`), and only
 * the header's columns are read, so those are dropped. Whitespace-only counts as empty, as every value
 * is trimmed. Missing fields always reject: which one is missing cannot be told.
 */
function fieldCountProblem(fields: string[], columns: number): string | undefined {
  const counts = `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${columns}`;
  if (fields.length < columns) return `${counts} (${columns - fields.length} missing)`;
  const named: string[] = [];
  let nonEmpty = 0;
  for (let index = columns; index < fields.length; index++) {
    const field = fields[index]!;
    if (field.trim() === '') continue;
    if (++nonEmpty <= maxNamedExtraFields) named.push(`${index + 1} (${JSON.stringify(field)})`);
  }
  if (nonEmpty === 0) return undefined;
  const more = nonEmpty > named.length ? ` and ${nonEmpty - named.length} more` : '';
  return `${counts}; extra field${nonEmpty === 1 ? '' : 's'} ${named.join(', ')}${more} ${nonEmpty === 1 ? 'is' : 'are'} not empty`;
}

function isBlank(fields: string[]): boolean {
  for (const field of fields) if (field.trim() !== '') return false;
  return true;
}

// COPY text format: backslash, tab, newline and carriage return must be escaped.
function escapeCopyText(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (char) => copyEscapes[char]!) : value;
}
const copyEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

// The row as the operator wrote it, for the rejections export.
function toCsvLine(fields: string[], delimiter: string): string {
  return fields
    .map((field) => (field.includes('"') || field.includes(delimiter) || /[\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
    .join(delimiter);
}
