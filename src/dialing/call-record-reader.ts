import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.ts';
import { readSetting } from '../db/settings.ts';
import { makeDialRateLimiter } from './dial-rate-limiter.ts';
import { keyGroupPrefix } from '../redis.ts';
import { makeCallRecordClient, type CallRecordClient } from '../telnyx/call-record-client.ts';
import { makeConversationClient, type ConversationClient } from '../telnyx/conversation-client.ts';

/** Telnyx's call records as reconciliation reads them, and the account they belong to. */
export interface CallRecordReader {
  records: CallRecordClient;
  /** TELNYX_ACCOUNT_SID, else the one learned from a callback; undefined while neither is known. */
  accountSid(): Promise<string | undefined>;
}

/**
 * Waits for a permit of the read budget: CALL_RECORD_READS_PER_SECOND GETs across all processes, in
 * Redis keys apart from the dial pace, shared by call-record and conversation reads (one budget for all
 * of Telnyx's read API we use), so reads never take a dial's place.
 */
export function makeReadPacer(app: App): () => Promise<void> {
  const perSecond = app.config.CALL_RECORD_READS_PER_SECOND;
  // A 100 ms guard on each 1 s window, as for dials: the rate counts where requests arrive.
  const limiter = makeDialRateLimiter(
    app.redis(),
    keyGroupPrefix(app.redisTarget, app.config.QUEUE_PREFIX, 'reads', `${app.config.QUEUE_PREFIX}:reads`),
    perSecond,
    100,
  );
  return async () => {
    for (;;) {
      const permit = await limiter.acquire('call-records', perSecond);
      if (permit.waitMs === 0) return;
      await sleep(permit.waitMs);
    }
  };
}

/** The AI-conversation client of this process, paced by the same read budget. Undefined without TELNYX_API_KEY. */
export function makeConversationReader(app: App, overrides: { tries?: number; retryDelayMs?: number } = {}): ConversationClient | undefined {
  const apiKey = app.config.TELNYX_API_KEY;
  if (!apiKey) return undefined;
  return makeConversationClient({
    apiKey,
    baseUrl: app.config.TELNYX_API_BASE_URL,
    timeoutMs: Math.min(app.config.DIAL_REQUEST_TIMEOUT_MS, 10_000),
    ...overrides,
    beforeRequest: makeReadPacer(app),
  });
}

/**
 * The call-record client of this process: every GET takes a permit from its own Redis budget
 * (CALL_RECORD_READS_PER_SECOND across all processes, keys apart from the dial pace), so reading
 * records never takes a dial's place. Undefined without TELNYX_API_KEY.
 */
export function makeCallRecordReader(app: App, overrides: { tries?: number; retryDelayMs?: number } = {}): CallRecordReader | undefined {
  const apiKey = app.config.TELNYX_API_KEY;
  if (!apiKey) return undefined;
  const records = makeCallRecordClient({
    apiKey,
    baseUrl: app.config.TELNYX_API_BASE_URL,
    timeoutMs: Math.min(app.config.DIAL_REQUEST_TIMEOUT_MS, 10_000),
    ...overrides,
    beforeRequest: makeReadPacer(app),
  });
  let learned: string | undefined;
  return {
    records,
    async accountSid() {
      if (app.config.TELNYX_ACCOUNT_SID) return app.config.TELNYX_ACCOUNT_SID;
      learned ??= await readSetting(app.pool, 'telnyx_account_sid');
      return learned;
    },
  };
}
