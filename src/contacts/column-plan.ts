import { DialerError } from '../errors.ts';
import { cliImportWording, type ImportWording } from './import-wording.ts';
import { toVariableName } from './variable-name.ts';

/** Header names (as variable names) taken as the phone column, most specific first. */
export const phoneColumnNames = [
  'phone',
  'phone_number',
  'phonenumber',
  'phone_no',
  'mobile',
  'mobile_number',
  'mobile_phone',
  'cell',
  'cell_phone',
  'cellphone',
  'telephone',
  'telephone_number',
  'tel',
  'msisdn',
  'number',
  'contact_number',
  'to',
];

const timezoneColumnNames = ['timezone', 'time_zone'];

/** Where each CSV column goes: the phone, the optional timezone, and the dynamic variables. */
export interface ColumnPlan {
  header: string[];
  phoneIndex: number;
  timezoneIndex: number | undefined;
  variables: { index: number; name: string }[];
}

export function makeColumnPlan(rawHeader: string[], options: { phoneColumn?: string | undefined; wording?: ImportWording | undefined } = {}): ColumnPlan {
  const header = rawHeader.map((name) => name.trim());
  rejectDuplicateHeaders(header);
  const phoneIndex = findPhoneColumn(header, options.phoneColumn, options.wording ?? cliImportWording('the file'));
  const names = header.map(toVariableName);
  const timezoneIndex = names.findIndex((name, index) => index !== phoneIndex && timezoneColumnNames.includes(name));
  const variables = header.flatMap((original, index) => {
    if (index === phoneIndex || index === timezoneIndex) return [];
    const name = names[index]!;
    if (!name)
      throw new DialerError(
        'invalid_input',
        `column ${index + 1} (${JSON.stringify(original)}) has no usable name: give it a header with letters or digits`,
        original,
      );
    return [{ index, name }];
  });
  rejectVariableCollisions(variables, header);
  return { header, phoneIndex, timezoneIndex: timezoneIndex === -1 ? undefined : timezoneIndex, variables };
}

function rejectDuplicateHeaders(header: string[]): void {
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new DialerError(
        'invalid_input',
        `duplicate column name ${JSON.stringify(name)} (columns ${first + 1} and ${index + 1}); header names must be unique (case-insensitive)`,
        name,
      );
    }
    seen.set(key, index);
  });
}

function findPhoneColumn(header: string[], requested: string | undefined, wording: ImportWording): number {
  if (requested !== undefined) {
    // As detection matches: a header equal to the name (case-insensitive) first, else one with the same
    // variable name (accents, case, spaces and punctuation ignored), so "telephone" finds "Téléphone".
    const exact = header.findIndex((name) => name.toLowerCase() === requested.trim().toLowerCase());
    if (exact !== -1) return exact;
    const wanted = toVariableName(requested);
    const matches = wanted === '' ? [] : header.flatMap((name, index) => (toVariableName(name) === wanted ? [index] : []));
    if (matches.length > 1) {
      throw new DialerError(
        'invalid_input',
        `phone column ${JSON.stringify(requested)} matches several columns (${matches.map((index) => header[index]).join(', ')}); give one exactly`,
        wording.field('phoneColumn'),
      );
    }
    if (matches.length === 0) {
      throw new DialerError(
        'invalid_input',
        `phone column ${JSON.stringify(requested)} not found; the columns are: ${header.join(', ')}`,
        wording.field('phoneColumn'),
      );
    }
    return matches[0]!;
  }
  const names = header.map(toVariableName);
  for (const candidate of phoneColumnNames) {
    const index = names.indexOf(candidate);
    if (index !== -1) return index;
  }
  throw new DialerError(
    'invalid_input',
    `no phone column: name one of the columns (${header.join(', ')}) with ${wording.name('phoneColumn')}, or call it phone, phone_number, mobile, ...`,
    wording.field('phoneColumn'),
  );
}

function rejectVariableCollisions(variables: ColumnPlan['variables'], header: string[]): void {
  const seen = new Map<string, number>();
  for (const { index, name } of variables) {
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DialerError(
        'invalid_input',
        `columns ${JSON.stringify(header[first])} and ${JSON.stringify(header[index])} both become the variable ${JSON.stringify(name)}; rename one`,
        header[index],
      );
    }
    seen.set(name, index);
  }
}
