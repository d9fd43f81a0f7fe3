import type { FastifyInstance } from 'fastify';
import { makeApp, type App } from '../../src/app.ts';
import { createCampaign } from '../../src/campaigns/create-campaign.ts';
import { makeServer } from '../../src/http/server.ts';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import type { SimulatorOptions } from '../../src/simulator/simulator-options.ts';
import type { TestDatabase } from './database.ts';
import { testConfig } from './test-env.ts';

/** A simulator (Telnyx), the real callback receiver on a port, and an App wired to both, as in production. */
export interface DialStack {
  simulator: Simulator;
  receiver: FastifyInstance;
  receiverApp: App;
  /** The worker side: TELNYX_API_BASE_URL = the simulator, PUBLIC_BASE_URL = the receiver. */
  app: App;
  close(): Promise<void>;
}

export async function startDialStack(
  db: TestDatabase,
  prefix: string,
  simulatorOptions: SimulatorOptions = {},
  env: Record<string, string> = {},
  /** Settings of both sides (the receiver's and the worker's), such as REDIS_CLUSTER_NODES. */
  sharedEnv: Record<string, string> = {},
): Promise<DialStack> {
  const simulator = await startSimulator({ callbackDelayMs: 2, ...simulatorOptions });
  const base = { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', TELNYX_PUBLIC_KEY: simulator.publicKey, ...sharedEnv };
  const receiverApp = makeApp(testConfig(base));
  const receiver = await makeServer(receiverApp);
  const address = await receiver.listen({ port: 0, host: '127.0.0.1' });
  const app = makeApp(testConfig({ ...base, TELNYX_API_BASE_URL: simulator.baseUrl, TELNYX_API_KEY: simulator.apiKey, PUBLIC_BASE_URL: address, ...env }));
  return {
    simulator,
    receiver,
    receiverApp,
    app,
    async close() {
      await simulator.callbacksSettled();
      await simulator.close();
      await receiver.close();
      await Promise.all([app.close(), receiverApp.close()]);
    },
  };
}

/**
 * An IANA zone where it is early afternoon right now, so a contact in it is inside any calling window
 * whatever the hour the tests run at (Etc/GMT-N is UTC+N).
 */
export function zoneWhereItIsAfternoon(now = new Date()): string {
  const offset = 13 - now.getUTCHours();
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

let nextPhoneBlock = 0;

/** A running campaign with `count` contacts (phones +13122xxxxxx, unique per campaign), all in an afternoon zone. */
export async function makeRunningCampaign(
  app: App,
  count: number,
  overrides: Record<string, unknown> = {},
  status: 'running' | 'draft' = 'running',
): Promise<{ campaignId: string; contactIds: string[]; phones: string[] }> {
  const created = await createCampaign(app, {
    name: `dial test ${Math.random().toString(36).slice(2)}`,
    connectionId: 'conn-1',
    assistantId: 'assistant-1',
    from: '+13125550100',
    callsPerSecond: 50,
    maxConcurrentCalls: 1000,
    callingWindow: { start: '08:00', end: '21:00', days: everyDay },
    ...overrides,
  });
  // Each campaign gets its own block of numbers, so the simulator's calls tell campaigns apart.
  const block = (nextPhoneBlock += 1) * 10_000;
  const phones = Array.from({ length: count }, (_, index) => `+1312${String(2_000_000 + block + index).padStart(7, '0')}`);
  const zone = zoneWhereItIsAfternoon();
  const { rows } = await app.pool.query<{ id: string }>(
    `INSERT INTO contact (campaign_id, phone, variables, timezone)
     SELECT $1, phone, jsonb_build_object('first_name', 'P' || ord), $3 FROM unnest($2::text[]) WITH ORDINALITY AS t(phone, ord)
     RETURNING id`,
    [created.id, phones, zone],
  );
  if (status === 'running') await app.pool.query(`UPDATE campaign SET status = 'running', started_at = now() WHERE id = $1`, [created.id]);
  return { campaignId: created.id, contactIds: rows.map((row) => row.id), phones };
}
