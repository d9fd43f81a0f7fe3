import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { runDialerInProcess } from './support/cli.ts';

// No Docker engine runs here: what can be checked without one is that the Dockerfile, .dockerignore
// and docker-compose.yml agree with the tree (paths, the entry point, commands, settings).
const root = new URL('..', import.meta.url).pathname;
const read = (file: string) => readFileSync(`${root}${file}`, 'utf8');

describe('the Dockerfile and docker-compose.yml', () => {
  const dockerfile = read('Dockerfile');
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const copiedFromContext = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    expect(copiedFromContext).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'prisma', 'src', 'examples']));
    for (const path of copiedFromContext) {
      expect(existsSync(`${root}${path}`), path).toBe(true);
      expect(
        ignored.filter((pattern) => path === pattern || path.startsWith(`${pattern}/`)),
        path,
      ).toEqual([]);
    }
    // The generated client comes from the build stage, never from the context.
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'src/generated']));
  });

  it('runs `dialer` (package.json bin) as an unprivileged user, with production dependencies only', () => {
    const bin = (JSON.parse(read('package.json')) as { bin: { dialer: string } }).bin.dialer;
    expect(dockerfile).toContain(`ln -s /app/${bin} /usr/local/bin/dialer`);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["dialer"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  });

  it('builds the image for migrate, serve and worker, each a dialer command, with settings the config accepts', async () => {
    const compose = read('docker-compose.yml');
    expect(compose).toContain('build: .');
    expect(compose).not.toMatch(/volumes: \['\.:/); // no source tree mounted
    const commands = [...compose.matchAll(/^  (\w+):\n    <<: \*dialer\n    command: \['(\w+)'\]/gm)].map((match) => [match[1], match[2]]);
    expect(commands).toEqual([
      ['migrate', 'migrate'],
      ['serve', 'serve'],
      ['worker', 'worker'],
    ]);
    for (const [, command] of commands) expect((await runDialerInProcess(command!, '--help')).code, command).toBe(0);
    const env = Object.fromEntries(
      [...compose.matchAll(/^ {4}([A-Z_]+): (.+)$/gm)].map((match) => [match[1]!, match[2]!.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
    );
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PUBLIC_BASE_URL']));
    expect(() => parseConfig(Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('POSTGRES_'))))).not.toThrow();
  });
});
