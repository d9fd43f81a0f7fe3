import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { makeApp, type App } from '../../src/app.ts';
import type { TestDatabase } from './database.ts';
import { testConfig } from './test-env.ts';

/** A temp dir for this test file's CSV files (removed after); write(name, text|bytes) returns the path. */
export function useCsvFiles(): { write(name: string, content: string | Buffer): string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dialer-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

export async function makeCampaign(db: TestDatabase, defaultCountry = 'US'): Promise<string> {
  const name = `import test ${randomBytes(4).toString('hex')}`; // campaign names are unique
  const campaign = await db.prisma.campaign.create({ data: { name, config: { defaultCountry }, maxConcurrentCalls: 1 } });
  return campaign.id;
}

export function makeTestApp(db: TestDatabase): App {
  return makeApp(testConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' }));
}
