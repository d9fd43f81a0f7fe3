import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { firstSentence, makeProgram } from '../src/cli/main.ts';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** Lines over 80 columns, except a single unbreakable word (a long default value). */
const tooWide = (text: string) => text.split('\n').filter((line) => line.length > 80 && /\S\s+\S/.test(line.trim()));

describe('dialer --help', () => {
  it('has no hard line breaks inside sentences: commander wraps them (only paragraphs are separated)', async () => {
    for (const command of allCommands(await makeProgram())) {
      const texts = [command.description(), ...command.options.map((option) => option.description)];
      for (const text of texts) expect(text.replace(/\n\n/g, ''), `${command.name()}: ${text}`).not.toContain('\n');
    }
  });

  it('fits 80 columns in `dialer --help` and `dialer serve --help`, the command list showing first sentences', async () => {
    const run = promisify(execFile);
    const [root, serve] = await Promise.all([run('node', ['src/cli/bin.mjs', '--help']), run('node', ['src/cli/bin.mjs', 'serve', '--help'])]);
    expect(tooWide(root.stdout)).toEqual([]);
    expect(tooWide(serve.stdout)).toEqual([]);
    expect(root.stdout).toContain('dial each one through Telnyx');
    expect(root.stdout).toMatch(/\n {2}import \[options\] <campaign> <file> +Load a CSV file's contacts into a\s+campaign\.\n {2}rejections/);
    expect(serve.stdout).toMatch(/^Usage: dialer serve \[options\]\n\nRun the HTTP server on HOST:PORT: /);
  }, 60_000); // two CLI processes start through tsx: slow on a loaded machine

  it('takes the first sentence, not stopping at e.g.', () => {
    expect(firstSentence('Resume a paused campaign (clears the pause reason, e.g. after fixing X). More here.')).toBe(
      'Resume a paused campaign (clears the pause reason, e.g. after fixing X).',
    );
    expect(firstSentence('One sentence only')).toBe('One sentence only');
  });
});
