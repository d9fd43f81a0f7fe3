import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigJson, readConfigFile } from '../src/campaigns/read-config-file.ts';
import { parseCampaignConfig } from '../src/campaigns/parse-campaign-config.ts';
import { DialerError } from '../src/errors.ts';
import { failureOf } from './support/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'campaign-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function jsonFailure(text: string): string {
  try {
    parseConfigJson(text, 'c.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DialerError);
    expect((error as DialerError).code).toBe('invalid_input');
    return (error as DialerError).message;
  }
  throw new Error('expected the JSON to be refused');
}

describe('readConfigFile', () => {
  it('reads the shipped example, which is a valid config', async () => {
    const config = parseCampaignConfig(await readConfigFile('examples/campaign.json'));
    expect(config.name).toBe('Spring appointment reminders');
    expect(config.retry.retryOn).toContain('voicemail');
  });

  it('accepts a byte-order mark', async () => {
    const path = join(dir, 'bom.json');
    await writeFile(path, '\uFEFF{"a": 1}');
    expect(await readConfigFile(path)).toEqual({ a: 1 });
  });

  it('says when the file is missing', async () => {
    const path = join(dir, 'missing.json');
    const error = await failureOf(readConfigFile(path));
    expect(error.message).toBe(`cannot read campaign config ${path}: no such file`);
  });

  it('says when the path is a directory', async () => {
    const error = await failureOf(readConfigFile(dir));
    expect(error.message).toBe(`cannot read campaign config ${dir}: it is a directory, not a file`);
  });
});

describe('parseConfigJson', () => {
  it.each<[string, string, string]>([
    ['a trailing comma', '{\n  "a": 1,\n}', 'campaign config c.json is not valid JSON at line 3, column 1: expected double-quoted property name'],
    ['a missing comma', '{\n  "a": 1\n  "b": 2\n}', "campaign config c.json is not valid JSON at line 3, column 3: expected ',' or '}' after property value"],
    ['a stray brace', '{"a": [1, 2}', "campaign config c.json is not valid JSON at line 1, column 12: expected ',' or ']' after array element"],
    ['a stray bracket', '{"a": ]}', "campaign config c.json is not valid JSON at line 1, column 7: unexpected character ']'"],
    ['a single-quoted key', "{'a': 1}", "campaign config c.json is not valid JSON at line 1, column 2: expected property name or '}'"],
    ['a truncated file', '{\n  "a": ', 'campaign config c.json is not valid JSON at line 2, column 8: the file ends before the JSON is complete'],
    ['text after the object', '{"a": 1}\nmore', 'campaign config c.json is not valid JSON at line 2, column 1: unexpected non-whitespace character after JSON'],
    ['an empty file', ' \n', 'campaign config c.json is empty: expected a JSON object'],
  ])('explains %s with line and column', (_label, text, expected) => {
    expect(jsonFailure(text)).toBe(expected);
  });

  it('finds the line of a bad token deep in a long file', () => {
    const lines = [
      '{',
      ...Array.from({ length: 30 }, (_, i) => `  "key${i}": "value ${i}",`),
      '  "timeout": thirty' /* V8 stops at the h: "t" could start true */,
      '}',
    ];
    expect(jsonFailure(lines.join('\n'))).toBe('campaign config c.json is not valid JSON at line 32, column 15: unexpected character');
  });

  it('never quotes the file around the error (it may hold the SIP password)', () => {
    const secret = 'hunter2-sip-secret';
    for (const text of [
      `{"name": "x", "sipAuthPassword": ${secret}}`,
      `{"sipAuthPassword": "${secret}" "name": "x"}`,
      `{"sipAuthPassword": "${secret}\u0001"}`,
      `{"sipAuthPassword": "${secret}`,
    ]) {
      const message = jsonFailure(text);
      expect(message).not.toContain(secret);
      expect(message).not.toContain('hunter');
      expect(message).toMatch(/^campaign config c\.json is not valid JSON/);
    }
  });
});
