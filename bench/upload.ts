// Operator API upload: streams a generated CSV of N rows (default 1,000,000) as one text/csv POST to
// /api/campaigns/:id/contacts and samples this process's memory while the server spools and imports
// it. Flat memory means the peak RSS does not grow with N (compare --rows 100000 with the default).
// Usage: npx tsx bench/upload.ts [--rows 1000000]
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { makeApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { makeServer } from '../src/http/server.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rows = Number(values.rows);
const token = randomBytes(16).toString('hex');
const schema = `bench_upload_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/dialer_bench?schema=${schema}`;
await migrate(makeDatabaseTarget(databaseUrl));
const app = makeApp(parseConfig({ DATABASE_URL: databaseUrl, QUEUE_PREFIX: `bench-${schema}`, API_TOKEN: token, LOG_LEVEL: 'warn' }));

try {
  const server = await makeServer(app);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as { port: number };
  const campaign = await request(
    port,
    'POST',
    '/api/campaigns',
    'application/json',
    Readable.from([
      JSON.stringify({ name: 'upload-bench', connectionId: 'c', assistantId: 'a', from: '+12025550123', callsPerSecond: 1, maxConcurrentCalls: 1 }),
    ]),
  );
  const campaignId = JSON.parse(campaign.body).id as string;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const started = performance.now();
  const upload = await request(port, 'POST', `/api/campaigns/${campaignId}/contacts?fileName=big.csv`, 'text/csv', Readable.from(csvRows(rows)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await server.close();
  const summary = JSON.parse(upload.body);
  const result = {
    rows,
    status: upload.status,
    imported: summary.imported,
    seconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(rows / seconds),
    peakRssMb: Math.round(peakRss / 2 ** 20),
  };
  console.log(JSON.stringify(result));
  process.exitCode = upload.status === 201 && summary.imported === rows ? 0 : 1;
} finally {
  await app.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await app.close();
}

function* csvRows(count: number): Generator<string> {
  yield 'phone,first_name,plan\n';
  const chunk: string[] = [];
  for (let n = 0; n < count; n += 1) {
    chunk.push(`+1202${String(2000000 + n).padStart(7, '0')},Name${n},gold\n`);
    if (chunk.length === 10_000) yield chunk.splice(0).join('');
  }
  if (chunk.length) yield chunk.join('');
}

function request(port: number, method: string, path: string, contentType: string, body: Readable): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': contentType, authorization: `Bearer ${token}` } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    outgoing.on('error', reject);
    body.pipe(outgoing);
  });
}
