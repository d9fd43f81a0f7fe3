import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';
import { makeCampaign, useCsvFiles } from './support/import-fixtures.ts';
import { testProcessEnv } from './support/test-env.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runDialer(databaseUrl: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['src/cli/bin.mjs', ...args], { env: testProcessEnv({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }) }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// Each CLI run starts a fresh node + tsx process: seconds on a loaded 2-core machine.
describe('dialer import / dialer rejections (CLI)', { timeout: 90_000 }, () => {
  const db = useTestDatabase();
  const files = useCsvFiles();

  it('imports with --json, then exports the rejections as CSV', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write('cli.csv', 'Phone,Name\n2125550100,Ada\n12,"Bad, ""short"""\n2125550100,Again\n');
    const run = await runDialer(db.url, ['import', campaignId, file, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ rowsRead: 3, imported: 1, duplicates: 1, rejected: [{ row: 3, reason: 'phone "12": too short for US' }] });
    expect(summary.importId).toMatch(/^[0-9a-f-]{36}$/);

    const out = `${files.dir}/rejections.csv`;
    const exported = await runDialer(db.url, ['rejections', campaignId, '--out', out, '--json']);
    expect(exported).toMatchObject({ code: 0 });
    expect(JSON.parse(exported.stdout)).toEqual({ file: out, imports: 1, rejections: 1 });
    expect(readFileSync(out, 'utf8')).toBe(`import_id,row,reason,raw\n${summary.importId},3,"phone ""12"": too short for US","12,""Bad, """"short"""""""\n`);
  });

  it('prints a human summary naming each rejected row', async () => {
    const campaignId = await makeCampaign(db);
    const run = await runDialer(db.url, ['import', campaignId, files.write('human.csv', 'mobile\n2125550100\nnope\n')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rows read: +2\nimported: +1\nduplicates: +0\nrejected: +1\n  row 3: phone "nope": not a phone number/);
  });

  it('fails with a one-line reason and a non-zero exit code, importing nothing', async () => {
    const campaignId = await makeCampaign(db);
    const noPhone = await runDialer(db.url, ['import', campaignId, files.write('nophone.csv', 'name\nAda\n')]);
    expect(noPhone.code).toBe(1);
    expect(noPhone.stderr).toMatch(/^error: no phone column: .*\n$/);
    const badEncoding = await runDialer(db.url, ['import', campaignId, files.write('x.csv', 'phone\n2125550100\n'), '--encoding', 'ebcdic']);
    expect(badEncoding.code).toBe(1);
    expect(badEncoding.stderr).toBe('error: unsupported encoding "ebcdic": use utf-8, latin1 or windows-1252\n');
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(0);
  });
});
