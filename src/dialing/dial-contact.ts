import { randomUUID } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { DialJob } from '../jobs/catalog.ts';
import type { CampaignConfig } from '../campaigns/config-schema.ts';
import { makeDialRequestBody } from '../telnyx/build-request.ts';
import { makeCallbackUrls } from '../telnyx/callback-urls.ts';
import type { TelnyxClient } from '../telnyx/client.ts';
import type { DialRequestBody } from '../telnyx/dial-request-body.ts';
import { makeClaimBatcher } from './claim-batcher.ts';
import { maxPaceWaitMs, type ClaimedContact } from '../attempts/claim-contact.ts';
import type { DialRateLimiter } from './dial-rate-limiter.ts';
import { pauseCampaign } from '../attempts/pause-campaign.ts';
import { recordAccepted } from '../attempts/record-accepted.ts';
import { recordAmbiguous } from '../attempts/record-ambiguous.ts';
import { recordRejected } from '../attempts/record-rejected.ts';
import { undoUnplacedClaim } from '../attempts/undo-unplaced-claim.ts';
import { isConnectionFailure, retryWhileUnreachable } from '../db/connection-failure.ts';

/** What the dial job should do next, besides finishing: the worker turns these into BullMQ moves. */
export type DialStep =
  | { kind: 'done'; result: string }
  /** Run this same job again after `ms` (no pace token, no slot, request not sent). */
  | { kind: 'retryLater'; ms: number; why: string }
  /** Telnyx said 429: every dial of this queue waits `ms`. */
  | { kind: 'rateLimited'; ms: number };

export interface DialDeps {
  pool: pg.Pool;
  log: Logger;
  telnyx: TelnyxClient;
  limiter: DialRateLimiter;
  publicBaseUrl: string;
  /** True once the worker is shutting down: jobs still waiting to claim go back to Redis unclaimed. */
  stopping?: () => boolean;
}

const noSlotRetryMs = 2000;

type Undo = (returnTo: 'queued' | 'pending', then?: Parameters<typeof undoUnplacedClaim>[3]) => Promise<unknown>;

interface ReadyToSend {
  kind: 'ready';
  claim: ClaimedContact;
  config: CampaignConfig;
  body: DialRequestBody;
  ids: { attemptId: string; campaignId: string; contactId: string };
  undo: Undo;
}

export function makeDialContact(deps: DialDeps): (job: DialJob, timesStarted: number) => Promise<DialStep> {
  const takePermit = makePermitTaker(deps.limiter);
  const claimContact = makeClaimBatcher(deps.pool);
  const claimGate = makeClaimGate();

  // Claims the contact and takes its pace permit: either everything the request needs, or the step
  // to return instead (nothing was sent, and any claim has been undone).
  async function claimAndTakePermit(job: DialJob, timesStarted: number): Promise<ReadyToSend | { kind: 'step'; step: DialStep }> {
    // A job whose turn comes during a shutdown is handed back, so the shutdown waits only for dials in hand.
    if (deps.stopping?.()) return { kind: 'step', step: { kind: 'retryLater', ms: 0, why: 'worker stopping' } };
    // The claim checks the calling window until maxPaceWaitMs after it; the request must leave by then.
    const sendBy = Date.now() + maxPaceWaitMs;
    // The attempt's id is chosen here, so this run knows its own attempt even when the claim's answer is lost.
    const attemptId = randomUUID();
    let claimed;
    try {
      claimed = await claimContact({ ...job, attemptId });
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      // Postgres went away (a restart) around the claim: it may have committed, its answer lost. The
      // attempt `attemptId` can only be this run's, and no request went out for it: if it exists it is
      // undone (a conditional delete, retried until Postgres answers), then the same job runs again later.
      await retryWhileUnreachable(() => undoUnplacedClaim(deps.pool, { attemptId, campaignId: job.campaignId, contactId: job.contactId }, 'queued'));
      deps.log.warn(
        { campaignId: job.campaignId, contactId: job.contactId, reason: (error as Error).message },
        'claim failed: Postgres unavailable; will try again',
      );
      return { kind: 'step', step: { kind: 'retryLater', ms: backoffMs(timesStarted, 1000, 10_000), why: 'Postgres unavailable' } };
    }
    if (claimed.kind === 'noSlot') return { kind: 'step', step: { kind: 'retryLater', ms: noSlotRetryMs + jitter(1000), why: 'no concurrency slot' } };
    if (claimed.kind !== 'claimed') return { kind: 'step', step: { kind: 'done', result: claimed.kind } };

    const { claim } = claimed;
    // Stored configs passed the campaign config schema when the campaign was created.
    const config = claim.config as unknown as CampaignConfig;
    claimGate.learnRate(job.campaignId, config.callsPerSecond);
    const ids = { attemptId: claim.attemptId, campaignId: job.campaignId, contactId: job.contactId };
    // From here on the claim is ours. Undoing it (the request was provably not sent) and recording the
    // request's result are conditional statements, safe to run twice: while Postgres is away (a restart)
    // they are tried again rather than given up, which would leave the attempt `claimed` until the
    // reconciler settles it.
    const undo: Undo = (returnTo, then) => retryWhileUnreachable(() => undoUnplacedClaim(deps.pool, ids, returnTo, then));
    const body = makeDialRequestBody(config, claim, makeCallbackUrls(deps.publicBaseUrl, claim.attemptId));
    // The pace permit is taken last, right before the request: the rate is what Telnyx sees, so
    // nothing slow may sit between the permit and the request.
    const wait = await takePermit(job.campaignId, config.callsPerSecond, sendBy);
    if (wait > 0) {
      await undo('queued');
      return { kind: 'step', step: { kind: 'retryLater', ms: wait + jitter(50), why: 'pace' } };
    }
    return { kind: 'ready', claim, config, body, ids, undo };
  }

  return async (job, timesStarted) => {
    const ready = await claimGate.run(job.campaignId, () => claimAndTakePermit(job, timesStarted));
    if (ready.kind === 'step') return ready.step;
    const { claim, config, body, ids, undo } = ready;
    const result = await deps.telnyx.dial(config.connectionId, body);
    const log = deps.log.child({ ...ids, attemptNumber: job.attemptNumber, result: result.kind });

    switch (result.kind) {
      case 'accepted':
        await retryWhileUnreachable(() => recordAccepted(deps.pool, claim.attemptId, job.campaignId, result.callSid));
        return { kind: 'done', result: 'accepted' };
      case 'rejected': {
        const detail = result.detail ?? result.title ?? `HTTP ${result.status}`;
        const paused = await retryWhileUnreachable(() =>
          recordRejected(deps.pool, claim.attemptId, job.campaignId, { status: result.status, code: result.code, detail }),
        );
        log.warn({ status: result.status, code: result.code, detail }, 'Telnyx rejected the dial');
        if (paused) log.error({ reason: paused }, 'campaign paused');
        return { kind: 'done', result: 'rejected' };
      }
      case 'auth': {
        const reason = `Telnyx refused the request (HTTP ${result.status}${result.code ? ` code ${result.code}` : ''}): ${result.detail ?? 'check TELNYX_API_KEY and the connectionId'}`;
        await undo('pending', async (client) => void (await pauseCampaign(client, job.campaignId, reason)));
        log.error({ reason }, 'campaign paused');
        return { kind: 'done', result: 'auth' };
      }
      case 'rateLimited': {
        await undo('queued');
        const ms = result.retryAfterMs ?? backoffMs(timesStarted, 1000, 30_000);
        log.warn({ retryInMs: ms }, 'Telnyx rate limit: slowing down');
        return { kind: 'rateLimited', ms };
      }
      case 'notSent': {
        await undo('queued');
        log.warn({ reason: result.reason }, 'dial request never sent; will send again');
        return { kind: 'retryLater', ms: backoffMs(timesStarted, 250, 10_000), why: result.reason };
      }
      case 'ambiguous':
        await retryWhileUnreachable(() => recordAmbiguous(deps.pool, claim.attemptId, result.reason));
        log.warn({ reason: result.reason }, 'dial outcome unknown: left to callbacks and the reconciler');
        return { kind: 'done', result: 'ambiguous' };
    }
  };
}

/** How far ahead of its pace permits this process claims contacts, in dialing time. */
const claimAheadMs = 250;
/** Claims a campaign may hold unsent in one process before its rate is known, and at the lowest rates. */
const minClaimsAhead = 2;

// A claim is held until its request leaves: a worker killed meanwhile leaves the contact claimed and
// unsent, for reconciliation to find it never placed minutes later. So per campaign, this process holds
// only a quarter of a second's dials (at its rate) claimed and waiting for permits; the other dial jobs
// wait here, before claiming, holding nothing but their BullMQ lock. Claims still batch, and the line
// of permit waiters never runs dry while claims take less than that quarter second.
function makeClaimGate() {
  const gates = new Map<string, LimitFunction>();
  const rates = new Map<string, number>();
  const sizeFor = (campaignId: string) => {
    const rate = rates.get(campaignId);
    return rate === undefined ? minClaimsAhead : Math.max(minClaimsAhead, Math.ceil((rate * claimAheadMs) / 1000));
  };
  return {
    run<T>(campaignId: string, claimThenPermit: () => Promise<T>): Promise<T> {
      let gate = gates.get(campaignId);
      if (!gate) gates.set(campaignId, (gate = pLimit(sizeFor(campaignId))));
      return gate(claimThenPermit).finally(() => {
        if (gate.activeCount === 0 && gate.pendingCount === 0 && gates.get(campaignId) === gate) {
          gates.delete(campaignId);
          rates.delete(campaignId);
        }
      });
    },
    /** The campaign's callsPerSecond, from its claim: sizes its gate from then on. */
    learnRate(campaignId: string, callsPerSecond: number) {
      if (rates.get(campaignId) === callsPerSecond) return;
      rates.set(campaignId, callsPerSecond);
      const gate = gates.get(campaignId);
      if (gate) gate.concurrency = sizeFor(campaignId);
    },
  };
}

// Waits for a pace permit are slept in the worker, holding the claim (smooth pacing, no queue churn),
// until `sendBy` at the latest: the claim checked the calling window until then. Longer waits (rates
// below 1/s, contention) undo the claim and give the job back to Redis. The dials of one campaign wait
// in line in this process and only the first asks Redis: hundreds of waiters polling at once would
// each be refused hundreds of times per permit (a thundering herd that starves the worker's CPU and
// bunches its requests). Resolves to 0 once granted, else the ms still to wait.
//
// A permit is good for a request that leaves at once. One this process could not use in time (its CPU
// was taken away, or Redis answered late) would reach Telnyx bunched with the requests of later
// permits, over the rate in that second: it is dropped unused and the dial asks again. Half the guard
// (PACE_GUARD_MS) is for this delay, counted from when the granting request left, half for the way to Telnyx.
function makePermitTaker(limiter: DialRateLimiter): (campaignId: string, callsPerSecond: number, sendBy: number) => Promise<number> {
  const lines = new Map<string, LimitFunction>();
  const takeOne = (campaignId: string, callsPerSecond: number, sendBy: number) => {
    let line = lines.get(campaignId);
    if (!line) lines.set(campaignId, (line = pLimit(1)));
    const turn = line(async () => {
      if (Date.now() >= sendBy) return { waitMs: permitRetryMs, askedAt: Date.now() };
      let askedAt = Date.now();
      let { waitMs } = await limiter.acquire(campaignId, callsPerSecond);
      while (waitMs > 0 && Date.now() + waitMs <= sendBy) {
        await new Promise((resolve) => setTimeout(resolve, waitMs + jitter(2)));
        askedAt = Date.now();
        ({ waitMs } = await limiter.acquire(campaignId, callsPerSecond));
      }
      return { waitMs, askedAt };
    });
    return turn.finally(() => {
      if (line.activeCount === 0 && line.pendingCount === 0) lines.delete(campaignId);
    });
  };
  return async (campaignId, callsPerSecond, sendBy) => {
    for (;;) {
      const { waitMs, askedAt } = await takeOne(campaignId, callsPerSecond, sendBy);
      if (waitMs > 0) return waitMs;
      if (Date.now() - askedAt <= limiter.guardMs / 2) return 0;
    }
  };
}

// A dial whose turn came after its deadline asks again this much later (its claim is undone meanwhile).
const permitRetryMs = 100;

function backoffMs(timesStarted: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, timesStarted - 1)) + jitter(baseMs / 2);
}

function jitter(maxMs: number): number {
  return Math.floor(Math.random() * maxMs);
}
