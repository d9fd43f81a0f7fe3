// Server render time of every console page for a campaign of N contacts (default 1,000,000): the page
// requested through fastify's inject (no network; routing, session check, queries and rendering), after
// signing in like a browser. Seeds one big campaign (60 % completed, 8 % no answer, 5 % busy, 4 % failed,
// 3 % voicemail, 20 % pending and all of those waiting for their calling window; an attempt per dialed
// contact, one dial every 1/30 s back from now, as at Telnyx's default 30 dials/s) and 20 small ones.
// Reports median, p95 and max of --runs requests per page (the pages serve the campaign figures from a
// snapshot recounted in the background), the first view of a page on a fresh server (no snapshot yet),
// and the time of counting the figures and the dry run themselves. Target: < 200 ms.
// Usage: npx tsx bench/console.ts [--contacts 1000000] [--runs 20] [--keep]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { makeApp } from '../src/app.ts';
import { readCampaignsProgress, readDialRateHistory } from '../src/campaigns/campaign-progress.ts';
import { getCampaignStatus } from '../src/campaigns/campaign-status.ts';
import { createCampaign } from '../src/campaigns/create-campaign.ts';
import { parseConfig } from '../src/config.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';
import { migrate } from '../src/db/migrate.ts';
import { makeServer } from '../src/http/server.ts';
import { makeDryRun } from '../src/scheduling/dry-run.ts';

const { values } = parseArgs({
  options: { contacts: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '20' }, keep: { type: 'boolean', default: false } },
});
const contacts = Number(values.contacts);
const runs = Number(values.runs);
const token = 'bench-console-token-0123456789';

const schema = `bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = `postgresql://postgres@127.0.0.1:5432/dialer_bench?schema=${schema}`;
const target = makeDatabaseTarget(databaseUrl);
await migrate(target);
const app = makeApp(parseConfig({ DATABASE_URL: databaseUrl, QUEUE_PREFIX: `bench-${schema}`, API_TOKEN: token, LOG_LEVEL: 'warn' }));
const config = { connectionId: 'conn-1', assistantId: 'assistant-1', from: '+13125550100', callsPerSecond: 20, maxConcurrentCalls: 50 };

try {
  const seedStart = performance.now();
  const campaignId = (await createCampaign(app, { ...config, name: 'one million' })).id;
  await seed(app.pool, campaignId, contacts);
  for (let index = 0; index < 20; index++) {
    const small = (await createCampaign(app, { ...config, name: `small ${index}` })).id;
    await seed(app.pool, small, 1000);
  }
  await app.pool.query(`UPDATE campaign SET status = 'running', started_at = now() WHERE id = $1`, [campaignId]);
  // As autovacuum would have by then: statistics, and the visibility map that index-only scans rely on.
  await app.pool.query('VACUUM ANALYZE');
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const signIn = async (server: Awaited<ReturnType<typeof makeServer>>) => {
    const response = await server.inject({
      method: 'POST',
      url: '/sign-in',
      payload: `token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return String(response.headers['set-cookie']).split(';')[0]!;
  };
  const server = await makeServer(app);
  const cookie = await signIn(server);
  const { rows: middle } = await app.pool.query<{ id: string; phone: string }>(
    `SELECT id, phone FROM contact WHERE campaign_id = $1 AND state = 'completed' ORDER BY phone OFFSET $2 LIMIT 1`,
    [campaignId, Math.floor(contacts * 0.3)],
  );
  const deepCursor = Buffer.from(middle[0]!.phone).toString('base64url');
  const pages: Record<string, string> = {
    'campaigns list': '/campaigns',
    'new campaign': '/campaigns/new',
    'campaign page': `/campaigns/${campaignId}`,
    'campaign live fragment (every 2 s)': `/campaigns/${campaignId}/live`,
    'dry-run plan': `/campaigns/${campaignId}/plan`,
    'results, first page': `/campaigns/${campaignId}/results`,
    'results, page at 30 %': `/campaigns/${campaignId}/results?after=${deepCursor}`,
    'results, state=busy': `/campaigns/${campaignId}/results?state=busy`,
    'results, outcome=voicemail': `/campaigns/${campaignId}/results?outcome=voicemail`,
    'results, phone starts with "1312200012"': `/campaigns/${campaignId}/results?phone=1312200012`,
    contact: `/contacts/${middle[0]!.id}`,
  };
  const timings: Record<string, { medianMs: number; p95Ms: number; maxMs: number; bytes: number }> = {};
  for (const [name, url] of Object.entries(pages)) {
    const samples: number[] = [];
    let bytes = 0;
    for (let run = 0; run < runs + 2; run++) {
      const start = performance.now();
      const response = await server.inject({ method: 'GET', url, headers: { cookie } });
      const ms = performance.now() - start;
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      bytes = response.body.length;
      if (run >= 2) samples.push(ms); // the first two warm the pool and the plan cache
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
    timings[name] = { medianMs: at(0.5), p95Ms: at(0.95), maxMs: at(1), bytes };
    console.error(`${name.padEnd(36)} median ${String(timings[name].medianMs).padStart(7)} ms  p95 ${String(timings[name].p95Ms).padStart(7)} ms`);
  }
  // The first view since a server started: nothing is in its snapshots yet, so the page waits for
  // the figures themselves. A fresh server (signed in, untimed) for each sample.
  const firstViews: Record<string, { medianMs: number; maxMs: number }> = {};
  for (const name of ['campaigns list', 'campaign page', 'dry-run plan']) {
    const samples: number[] = [];
    for (let run = 0; run < Math.min(runs, 5); run++) {
      const fresh = await makeServer(app);
      const freshCookie = await signIn(fresh);
      const start = performance.now();
      const response = await fresh.inject({ method: 'GET', url: pages[name]!, headers: { cookie: freshCookie } });
      samples.push(performance.now() - start);
      await fresh.close();
      if (response.statusCode !== 200) throw new Error(`${pages[name]}: ${response.statusCode}`);
    }
    samples.sort((a, b) => a - b);
    firstViews[name] = { medianMs: Math.round(samples[Math.floor(samples.length / 2)]!), maxMs: Math.round(samples.at(-1)!) };
    console.error(`first view: ${name.padEnd(24)} median ${String(firstViews[name].medianMs).padStart(7)} ms`);
  }
  // What the first view of a campaign (and each background recount) costs: the figures counted directly.
  const figures: Record<string, { medianMs: number; maxMs: number }> = {};
  for (const [name, count] of Object.entries({
    'campaign status (dialer status)': () => getCampaignStatus(app, campaignId),
    'dial rate, last 5 minutes': () => readDialRateHistory(app.pool, campaignId),
    'progress of every campaign': () => readCampaignsProgress(app.pool),
    'dry-run plan (makeDryRun)': () => makeDryRun(app, campaignId),
  })) {
    const samples: number[] = [];
    for (let run = 0; run < Math.min(runs, 5); run++) {
      const start = performance.now();
      await count();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    figures[name] = { medianMs: Math.round(samples[Math.floor(samples.length / 2)]!), maxMs: Math.round(samples.at(-1)!) };
    console.error(`${name.padEnd(36)} median ${String(figures[name].medianMs).padStart(7)} ms`);
  }
  await server.close();
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(JSON.stringify({ contacts, runs, seedSeconds: Math.round(seedSeconds), loadAverage: load, timings, firstViews, figures }, null, 2));
} finally {
  await app.close();
  if (!values.keep) {
    const admin = new pg.Client({ connectionString: target.connectionString });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

/** `count` contacts in one campaign with a spread of states, and one attempt per dialed contact. */
async function seed(pool: pg.Pool, campaignId: string, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO contact (campaign_id, phone, variables, state, outcome, attempt_count, timezone, next_attempt_at)
     SELECT $1, '+1312' || lpad((2000000 + n)::text, 7, '0'), jsonb_build_object('first_name', 'Person ' || n, 'account', 'A-' || n),
            (CASE WHEN s.state = 'voicemail' THEN 'no_answer' ELSE s.state END)::"ContactState", CASE WHEN s.state = 'pending' THEN NULL ELSE s.state END,
            CASE WHEN s.state = 'pending' THEN 0 ELSE 1 END, 'America/Chicago',
            CASE WHEN s.state = 'pending' THEN (now() AT TIME ZONE 'UTC') + interval '8 hours' END
       FROM generate_series(1, $2::int) AS n,
       LATERAL (SELECT CASE WHEN n % 100 < 60 THEN 'completed' WHEN n % 100 < 68 THEN 'no_answer' WHEN n % 100 < 73 THEN 'busy'
                            WHEN n % 100 < 77 THEN 'failed' WHEN n % 100 < 80 THEN 'voicemail' ELSE 'pending' END AS state) s`,
    [campaignId, count],
  );
  await pool.query(
    `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid, answered_by, talk_duration_sec, claimed_at, ended_at, slot_released_at)
     SELECT c.id, c.campaign_id, 1, (CASE WHEN c.outcome = 'voicemail' THEN 'completed' ELSE c.state::text END)::"AttemptState", 'v3:' || c.id,
            CASE WHEN c.outcome = 'voicemail' THEN 'machine_end_beep' ELSE 'human' END,
            60, (now() AT TIME ZONE 'UTC') - make_interval(secs => row_number() OVER (ORDER BY c.id) / 30.0), (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
       FROM contact c WHERE c.campaign_id = $1 AND c.state <> 'pending'`,
    [campaignId],
  );
  await pool.query(
    `INSERT INTO call_event (attempt_id, campaign_id, kind, call_sid, sequence_number, status, dedupe_key, payload)
     SELECT a.id, a.campaign_id, 'status', a.call_sid, s.n, s.status, a.id || ':' || s.n, '{}'::jsonb
       FROM (SELECT * FROM call_attempt WHERE campaign_id = $1 LIMIT 2000) a,
       LATERAL (VALUES (0, 'initiated'), (1, 'ringing'), (2, 'in-progress'), (3, 'completed')) AS s(n, status)`,
    [campaignId],
  );
}
