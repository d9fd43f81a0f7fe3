/** The import options an operator sets, as ImportOptions names them. */
export type ImportOptionName = 'phoneColumn' | 'defaultCountry' | 'delimiter' | 'encoding';

/**
 * How an import's messages name the file and the options, in the words of the front door it came
 * through: `dialer import` names the file by its path and the options by their flags
 * (`--phone-column`); the HTTP API names the upload by its file name and the options by their query
 * parameters (`phoneColumn`), and never shows a path of the server.
 */
export interface ImportWording {
  /** The file in messages and in the summary. */
  file: string;
  /** An option's name, as an error's `field`: `phone-column` or `phoneColumn`. */
  field(option: ImportOptionName): string;
  /** An option in a sentence: `--phone-column` or `the query parameter phoneColumn`. */
  name(option: ImportOptionName): string;
  /** How to try again with an option set: `re-run with --encoding latin1` or `send it again with ?encoding=latin1`. */
  retryWith(option: ImportOptionName, value: string): string;
}

const flags: Record<ImportOptionName, string> = {
  phoneColumn: 'phone-column',
  defaultCountry: 'default-country',
  delimiter: 'delimiter',
  encoding: 'encoding',
};

/** `dialer import`'s words: the file's path and the command's flags. */
export function cliImportWording(file: string): ImportWording {
  return {
    file,
    field: (option) => flags[option],
    name: (option) => `--${flags[option]}`,
    retryWith: (option, value) => `re-run with --${flags[option]} ${value}`,
  };
}

/** The HTTP API's words: the uploaded file's name and the query parameters. */
export function httpImportWording(fileName: string): ImportWording {
  return {
    file: fileName,
    field: (option) => option,
    name: (option) => `the query parameter ${option}`,
    retryWith: (option, value) => `send it again with ?${option}=${value}`,
  };
}
