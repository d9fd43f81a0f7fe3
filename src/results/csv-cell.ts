// A cell a spreadsheet would run as a formula: = + - @ or a leading tab/CR (OWASP CSV injection).
const formulaStart = /^[=+\-@\t\r]/;
// A plain number (a phone in E.164, a negative amount) cannot run as a formula: left as it is.
const plainNumber = /^[+-]?\d+(\.\d+)?$/;

/** One CSV cell: defused against formula injection, then quoted when needed (RFC 4180). */
export function toCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (formulaStart.test(text) && !plainNumber.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsvLine(values: readonly unknown[]): string {
  return `${values.map(toCsvCell).join(',')}\r\n`;
}
