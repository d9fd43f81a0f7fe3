import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const generated = path.join(repo, 'src', 'generated');

/**
 * A copy of the sources without src/generated (what `npm ci --ignore-scripts` leaves): a copy, so the
 * real generated client stays in place for every other test running meanwhile.
 */
describe('dialer without the generated Prisma client', () => {
  let copy: string;

  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'dialer-no-client-'));
    await cp(path.join(repo, 'src'), path.join(copy, 'src'), { recursive: true, filter: (source) => source !== generated });
    await cp(path.join(repo, 'package.json'), path.join(copy, 'package.json'));
    await symlink(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'));
  });

  afterAll(async () => {
    if (copy) await rm(copy, { recursive: true, force: true });
  });

  it.each([['--help'], ['migrate']])('dialer %s says in one line to run npm run generate, and exits 1', (command) => {
    const result = spawnSync(process.execPath, [path.join(copy, 'src', 'cli', 'bin.mjs'), command], { cwd: copy, encoding: 'utf8' });
    expect(result.stderr).toBe('error: the Prisma client is not generated (src/generated/prisma): run npm run generate\n');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });
});
