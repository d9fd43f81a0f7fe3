// CSV import speed and memory: generates an N-row CSV (phone + 5 variable columns, numbers in mixed
// national/E.164 formats), then in ONE run times the anchor, `psql \copy` of that file into a plain
// table (before and after the import, as the machine's load drifts), and `dialer import` of it (the
// real CLI in a child process, its peak RSS read from /proc/<pid>/status VmHWM). Prints both times,
// their ratio (target <= 2x) and peak RSS (target < 200 MB), and checks every row became a contact.
// Also times the Postgres floor: one INSERT ... SELECT of the \copy-ed rows into contact (its indexes,
// jsonb and foreign key), the insert work any import does, with no parsing or validation at all.
// Usage: npx tsx bench/import.ts [--rows 1000000] [--keep]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeDatabaseTarget, makePool } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } } });
const rows = Number(values.rows);

const schema = `bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/dialer_bench?schema=${schema}`;
const target = makeDatabaseTarget(databaseUrl);
const dir = mkdtempSync(join(tmpdir(), 'dialer-bench-import-'));
const file = join(dir, 'contacts.csv');

await migrate(target);
const pool = makePool(target, 2);
try {
  await generateCsv(file, rows);
  const { rows: created } = await pool.query<{ id: string }>(
    `INSERT INTO campaign (name, config, max_concurrent_calls) VALUES ('bench', '{"defaultCountry":"US"}', 1) RETURNING id`,
  );
  const campaignId = created[0]!.id;
  await pool.query('CREATE TABLE bench_anchor (phone text, first_name text, last_name text, email text, company text, notes text)');

  const copyAnchor = () =>
    timeChild('psql', [
      target.connectionString,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `SET search_path = "${schema}"`,
      '-c',
      'TRUNCATE bench_anchor',
      '-c',
      `\\copy bench_anchor FROM '${file}' WITH (FORMAT csv, HEADER true)`,
    ]);
  const loadBefore = loadavg()[0]!;
  const anchorBefore = await copyAnchor();
  const ours = await timeChild('node', ['src/cli/bin.mjs', 'import', campaignId, file, '--json'], { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
  const anchorAfter = await copyAnchor();
  const anchor = { seconds: (anchorBefore.seconds + anchorAfter.seconds) / 2 };
  const floor = await timeChild('psql', [
    target.connectionString,
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `SET search_path = "${schema}"`,
    '-c',
    insertCopiedRows(campaignId),
  ]);
  const summary = JSON.parse(ours.stdout) as { imported: number; rejectedCount: number; duplicates: number };
  if (summary.imported !== rows) throw new Error(`expected ${rows} contacts, got ${JSON.stringify(summary)}`);

  const line = (label: string, seconds: number) =>
    `${label.padEnd(16)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rows / seconds)
      .toLocaleString('en-US')
      .padStart(9)} rows/s`;
  console.log(`rows: ${rows.toLocaleString('en-US')} (${(fileSize(file) / 1e6).toFixed(1)} MB)`);
  console.log(`load average     ${loadBefore.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (1 min)`);
  console.log(`${line('psql \\copy', anchor.seconds)}  (mean of ${anchorBefore.seconds.toFixed(2)} s before and ${anchorAfter.seconds.toFixed(2)} s after)`);
  console.log(`${line('Postgres floor', floor.seconds)}  (${(floor.seconds / anchor.seconds).toFixed(2)}x: INSERT ... SELECT of the copied rows into contact)`);
  console.log(line('dialer import', ours.seconds));
  console.log(`ratio            ${(ours.seconds / anchor.seconds).toFixed(2)}x  (target <= 2x)`);
  console.log(`peak RSS         ${(ours.peakKb / 1024).toFixed(0)} MB  (target < 200 MB; node process VmHWM)`);
} finally {
  await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  await pool.end();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${file}`);
}

// Every copied row as a new contact of a second campaign (the phones as written: unique anyway), with
// ids in increasing order as the import makes them (appended at the primary key's right edge).
function insertCopiedRows(campaignId: string): string {
  return `WITH other AS (INSERT INTO campaign (name, config, max_concurrent_calls) SELECT name || ' floor', config, 1 FROM campaign WHERE id = '${campaignId}' RETURNING id)
    INSERT INTO contact (id, campaign_id, phone, variables, source_row)
    SELECT lpad(to_hex(row_number() OVER ()), 32, '0')::uuid, other.id, phone,
           jsonb_build_object('first_name', first_name, 'last_name', last_name, 'email', email, 'company', company, 'notes', notes), 0
      FROM bench_anchor, other
    ON CONFLICT (campaign_id, phone) DO NOTHING`;
}

async function generateCsv(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const areaCodes = [212, 310, 415, 646, 718, 917, 202, 305, 312, 404, 512, 617, 702, 713, 801, 206];
  let chunk = 'phone,first_name,last_name,email,company,notes\n';
  for (let i = 0; i < count; i++) {
    // Unique valid US numbers, half written nationally, half in E.164, as real uploads mix them.
    const areaCode = areaCodes[i % areaCodes.length]!;
    const rest = Math.floor(i / areaCodes.length);
    const exchange = 200 + (Math.floor(rest / 10_000) % 800);
    const subscriber = String(rest % 10_000).padStart(4, '0');
    const phone = i % 2 ? `+1${areaCode}${exchange}${subscriber}` : `(${areaCode}) ${exchange}-${subscriber}`;
    chunk += `${phone},First${i},Last${i},user${i}@example.com,"Company ${i % 977}, Inc.",note ${i}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

// Runs a command to completion; wall time, stdout, and its peak resident memory (sampled VmHWM).
async function timeChild(command: string, args: string[], env: Record<string, string> = {}) {
  const startedAt = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data));
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, readHighWaterMarkKb(child.pid!))), 20);
  const [code] = (await once(child, 'exit')) as [number];
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
  return { seconds, stdout, peakKb };
}

function readHighWaterMarkKb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // the process has just exited
  }
}

function fileSize(path: string): number {
  return statSync(path).size;
}
