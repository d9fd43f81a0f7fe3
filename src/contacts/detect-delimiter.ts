import { DialerError } from '../errors.ts';

export const supportedDelimiters = [',', ';', '\t', '|'] as const;

/**
 * Picks the delimiter that splits the header line into the most fields (quoted text ignored).
 * A header with none of them is a one-column file: ',' parses it the same as any other.
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(supportedDelimiters.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

/** Accepts the delimiter as typed on a command line ('\t' and 'tab' both mean a tab). */
export function parseDelimiterOption(value: string): string {
  const delimiter = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (!(supportedDelimiters as readonly string[]).includes(delimiter)) {
    throw new DialerError('invalid_input', `unsupported delimiter ${JSON.stringify(value)}: use , ; | or tab`, 'delimiter');
  }
  return delimiter;
}
