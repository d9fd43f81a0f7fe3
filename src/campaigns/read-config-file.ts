import { readFile } from 'node:fs/promises';
import { DialerError } from '../errors.ts';

const fileErrors: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory, not a file',
};

/** Reads a campaign config file as JSON; errors say where the JSON breaks without quoting the file (it may hold a password). */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new DialerError('invalid_input', `cannot read campaign config ${path}: ${fileErrors[code] ?? (code || 'read failed')}`, 'config');
  }
  return parseConfigJson(text, path);
}

export function parseConfigJson(text: string, source: string): unknown {
  const json = text.replace(/^\uFEFF/, ''); // editors on Windows save a byte-order mark
  if (json.trim() === '') throw new DialerError('invalid_input', `campaign config ${source} is empty: expected a JSON object`, 'config');
  try {
    return JSON.parse(json);
  } catch (error) {
    const { reason, position } = explainJsonError((error as Error).message, json);
    const where = position === undefined ? '' : ` at ${describePosition(json, position)}`;
    throw new DialerError('invalid_input', `campaign config ${source} is not valid JSON${where}: ${reason}`, 'config');
  }
}

/**
 * V8's JSON.parse messages either give "at position N" or quote the text around the bad token
 * ("Unexpected token 'x', ...\"<10 chars before>x<after>\"..."): we recover the position from either
 * and keep only the wording that names no content.
 */
function explainJsonError(message: string, json: string): { reason: string; position?: number } {
  const unexpectedToken = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (unexpectedToken) {
    const [, token = '', leadingEllipsis, snippet = ''] = unexpectedToken;
    const snippetStart = json.indexOf(snippet);
    const position = leadingEllipsis ? (snippetStart >= 0 ? snippetStart + 10 : undefined) : json.indexOf(token);
    const shown = /[\p{L}\p{N}]/u.test(token) ? '' : ` '${token}'`; // punctuation helps; letters could start a secret
    return { reason: `unexpected character${shown}`, position: position !== undefined && position >= 0 ? position : undefined };
  }
  if (/^Unexpected end of JSON input/.test(message)) return { reason: 'the file ends before the JSON is complete', position: json.length };
  const atPosition = /^(.*?) at position (\d+)/.exec(message);
  if (atPosition) return { reason: lowerFirst((atPosition[1] ?? '').replace(/ in JSON$/, '')), position: Number(atPosition[2]) };
  return { reason: 'malformed JSON' };
}

function describePosition(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
