import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type App } from '../src/app.ts';
import { recordInsightsWebhook } from '../src/conversations/record-insights-webhook.ts';
import { simulatedOutcomeInsightId, simulatedSummaryInsightId } from '../src/simulator/conversations.ts';
import { makeRunningCampaign } from './support/dial-harness.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';
import { testConfig } from './support/test-env.ts';

// Each insight group of an account sends its own call.conversation_insights.generated webhook: the
// results of all of them are kept (an opt-out in the second group must not be lost to the first).
describe('insights webhooks of one call', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  let app: App;
  beforeAll(() => {
    app = makeApp(testConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => {
    await app?.close();
  });

  async function answeredCall(callSid: string, answeredBy: string): Promise<string> {
    const labels = { [simulatedOutcomeInsightId]: 'appointment', [simulatedSummaryInsightId]: 'summary' };
    const { campaignId, contactIds } = await makeRunningCampaign(app, 1, { conversation: { insights: labels } });
    const { rows } = await app.pool.query<{ id: string }>(
      `INSERT INTO call_attempt (contact_id, campaign_id, attempt_number, state, call_sid, answered_by, ended_at)
       VALUES ($1, $2, 1, 'completed', $3, $4, now()) RETURNING id`,
      [contactIds[0], campaignId, callSid, answeredBy],
    );
    return rows[0]!.id;
  }

  it('adds up the results of every group, and keeps none for a call a machine answered', async () => {
    const attemptId = await answeredCall('v3:webhooks-of-two-groups', 'human');
    const summary = { insightId: simulatedSummaryInsightId, result: 'The patient asked not to be called again.' };
    const outcome = { insightId: simulatedOutcomeInsightId, result: '{"confirmed":false,"opt_out":true}' };
    expect(await recordInsightsWebhook(app.pool, { callControlId: 'v3:webhooks-of-two-groups', results: [summary], payload: { group: 1 } })).toBe('recorded');
    expect(await recordInsightsWebhook(app.pool, { callControlId: 'v3:webhooks-of-two-groups', results: [outcome], payload: { group: 2 } })).toBe('recorded');
    const { rows } = await app.pool.query<{ webhook_results: { results: unknown[]; payload: unknown } }>(
      `SELECT webhook_results FROM call_conversation WHERE attempt_id = $1`,
      [attemptId],
    );
    expect(rows[0]!.webhook_results).toEqual({ results: [summary, outcome], payload: { group: 2 } });

    const machineAttempt = await answeredCall('v3:voicemail', 'machine_end_beep');
    await recordInsightsWebhook(app.pool, { callControlId: 'v3:voicemail', results: [outcome], payload: {} });
    const machine = await app.pool.query(`SELECT 1 FROM call_conversation WHERE attempt_id = $1`, [machineAttempt]);
    expect(machine.rowCount).toBe(0);
  });
});
