import { Counter, Gauge, Registry } from 'prom-client';
import type { App } from '../app.ts';

export interface Metrics {
  registry: Registry;
  callbacks: Counter<'kind' | 'result'>;
  rejectedSignatures: Counter<'reason'>;
  outcomes: Counter<'state'>;
}

/**
 * The server's Prometheus metrics. Counters count what this process saw; gauges are read from
 * Postgres at scrape time, so every replica reports the same truth about dials, queue and calls.
 */
export function makeMetrics(app: App): Metrics {
  const registry = new Registry();
  const callbacks = new Counter({
    name: 'dialer_callbacks_total',
    help: 'Telnyx callbacks received, by kind and result (stored, duplicate, unknown_attempt, malformed)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const rejectedSignatures = new Counter({
    name: 'dialer_callback_signatures_rejected_total',
    help: 'Callbacks refused for their Ed25519 signature, by reason (missing, invalid, expired, unsigned_fields: GET fields outside the signature)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'dialer_call_outcomes_total',
    help: 'Attempts moved into a terminal state by callbacks received here, by state',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'dialer_attempts',
    help: 'Dial attempts in the database, by attempt state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await app.pool.query<{ state: string; count: string }>('SELECT state, count(*) FROM call_attempt GROUP BY state');
      this.reset();
      for (const row of rows) this.set({ state: row.state }, Number(row.count));
    },
  });
  new Gauge({
    name: 'dialer_contacts',
    help: 'Contacts by state; state="queued" is the depth of the dial queue',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await app.pool.query<{ state: string; count: string }>('SELECT state, count(*) FROM contact GROUP BY state');
      this.reset();
      for (const row of rows) this.set({ state: row.state }, Number(row.count));
    },
  });
  new Gauge({
    name: 'dialer_calls_in_progress',
    help: 'Concurrency slots held (calls dialed and not yet ended), all campaigns',
    registers: [registry],
    async collect() {
      const { rows } = await app.pool.query<{ active: string | null }>('SELECT sum(active_calls) AS active FROM campaign');
      this.set(Number(rows[0]?.active ?? 0));
    },
  });
  new Gauge({
    name: 'dialer_attempts_awaiting_reconciliation',
    help: "Attempts holding a slot whose end is being looked up in Telnyx's call records (no terminal callback, or no call_sid)",
    registers: [registry],
    async collect() {
      const { rows } = await app.pool.query<{ count: string }>(
        'SELECT count(*) FROM call_attempt WHERE slot_released_at IS NULL AND (record_checks > 0 OR record_check_at IS NOT NULL)',
      );
      this.set(Number(rows[0]?.count ?? 0));
    },
  });
  new Gauge({
    name: 'dialer_attempt_outcomes_by_source',
    help: "Ended attempts by where their end came from: source=callback (the terminal callback) or call_record (Telnyx's call record)",
    labelNames: ['source'] as const,
    registers: [registry],
    async collect() {
      const { rows } = await app.pool.query<{ source: string; count: string }>(
        'SELECT outcome_source AS source, count(*) FROM call_attempt WHERE outcome_source IS NOT NULL GROUP BY outcome_source',
      );
      this.reset();
      for (const source of ['callback', 'call_record']) this.set({ source }, Number(rows.find((row) => row.source === source)?.count ?? 0));
    },
  });
  return { registry, callbacks, rejectedSignatures, outcomes };
}
