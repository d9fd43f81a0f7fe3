import pLimit from 'p-limit';
import type { App } from '../app.ts';
import { recordCallRecordOutcome, scheduleNextCheck, takeAttemptsToCheck, terminalStateOfRecord } from '../attempts/record-call-record.ts';
import { adoptCallSid, callSidsInUse, markNotPlaced, recordUnconfirmedCheck, takeUnconfirmedAttempts } from '../attempts/unplaced-attempts.ts';
import type { CallRecordReader } from './call-record-reader.ts';

export interface CheckCallRecordsOptions {
  /** An attempt is checked after this long without news (CALL_RECORD_CHECK_SECONDS). */
  quietMs: number;
  /** Longest gap between two checks of one attempt (the gap doubles from quietMs). */
  maxGapMs?: number;
  limit?: number;
}

export interface CallRecordSweep {
  checked: number;
  /** Attempts ended from their call record. */
  recorded: number;
  /** No account id known yet (TELNYX_ACCOUNT_SID unset and no callback seen): nothing could be read. */
  noAccount?: boolean;
}

/**
 * Reconciles calls whose end was not heard of: attempts with a call_sid, holding their slot, quiet for
 * `quietMs`. Each one's call record is read; a final status ends the attempt exactly as its terminal
 * callback would have (outcome_source = call_record). A call still ringing or in progress, a 404 (records
 * are eventually consistent: never a conclusion), a 429 or an error only schedules the next check, later
 * each time. RECONCILE_GRACE_SECONDS and the reaper stay behind this as the last resort.
 */
export async function checkCallRecords(app: App, reader: CallRecordReader, options: CheckCallRecordsOptions): Promise<CallRecordSweep> {
  const accountSid = await reader.accountSid();
  if (!accountSid) return { checked: 0, recorded: 0, noAccount: true };
  const maxGapMs = options.maxGapMs ?? 10 * 60_000;
  const due = await takeAttemptsToCheck(app.pool, options.quietMs, 5 * 60_000, options.limit ?? 200);
  const gapAfter = (checks: number) => Math.min(maxGapMs, options.quietMs * 2 ** Math.min(checks, 20));
  let recorded = 0;
  const limit = pLimit(8);
  await Promise.all(
    due.map((attempt) =>
      limit(async () => {
        try {
          const result = await reader.records.getCall(accountSid, attempt.callSid);
          if (result.kind === 'found') {
            const terminal = terminalStateOfRecord(result.record.status);
            if (terminal) {
              const finished = await recordCallRecordOutcome(app.pool, attempt.id, result.record, terminal);
              if (finished) {
                recorded += 1;
                app.log.info({ attemptId: attempt.id, state: terminal, outcome: finished.outcome }, 'call ended per its call record (no terminal callback)');
              }
              return;
            }
            return await scheduleNextCheck(app.pool, attempt.id, gapAfter(attempt.recordChecks), `call record says ${result.record.status}`);
          }
          const note = result.kind === 'notFound' ? 'call record not found (yet)' : `call record unreadable: ${result.reason}`;
          await scheduleNextCheck(app.pool, attempt.id, gapAfter(attempt.recordChecks), note);
        } catch (error) {
          // The lease lapses and the next sweep tries again.
          app.log.error({ err: error, attemptId: attempt.id }, 'call record check failed');
        }
      }),
    ),
  );
  return { checked: due.length, recorded };
}

export interface CheckUnconfirmedOptions {
  /** A claim older than this can have no dial request in flight any more. */
  inFlightMs: number;
  /** Listings finding no call, spaced `spacingMs` apart, before the dial counts as never placed. */
  absentChecks: number;
  spacingMs: number;
  /** How much earlier than the claim Telnyx's clock may date the call. Default 30 s. */
  clockSkewMs?: number;
  limit?: number;
}

export interface UnconfirmedSweep {
  checked: number;
  /** Calls found in the records and taken by their attempt (ended ones recorded at once). */
  adopted: number;
  /** Dials found never placed: their contacts are dialed again. */
  notPlaced: number;
  noAccount?: boolean;
}

const dayMs = 86_400_000;

/**
 * Attempts that never learned their call_sid (the worker died between claim and answer, or the answer
 * was ambiguous), once their dial can no longer be in flight: lists the account's calls to the contact's
 * number from the day before the claim and looks for one from the campaign's number started at or after
 * the claim (less the clock skew) that no other attempt holds. Found: the attempt adopts it, and its end
 * if it ended. Not found: counted, and after `absentChecks` such listings `spacingMs` apart (records are
 * eventually consistent) the dial was never placed: the contact is dialed again without using up an
 * attempt. A listing that failed (an error, a 404, a 429 after retries) is never counted as "not found".
 */
export async function checkUnconfirmedAttempts(app: App, reader: CallRecordReader, options: CheckUnconfirmedOptions): Promise<UnconfirmedSweep> {
  const accountSid = await reader.accountSid();
  if (!accountSid) return { checked: 0, adopted: 0, notPlaced: 0, noAccount: true };
  const skewMs = options.clockSkewMs ?? 30_000;
  const due = await takeUnconfirmedAttempts(app.pool, options.inFlightMs, 5 * 60_000, options.limit ?? 100);
  const sweep: UnconfirmedSweep = { checked: due.length, adopted: 0, notPlaced: 0 };
  const limit = pLimit(4);
  await Promise.all(
    due.map((attempt) =>
      limit(async () => {
        try {
          const earliest = attempt.claimedAt.getTime() - skewMs;
          const listed = await reader.records.listCalls(accountSid, {
            to: attempt.phone,
            from: attempt.from,
            startedAfterDay: new Date(earliest - dayMs).toISOString().slice(0, 10),
          });
          if (listed.kind === 'error') {
            return await recordUnconfirmedCheck(app.pool, attempt.id, false, options.spacingMs, `call list unreadable: ${listed.reason}`);
          }
          const candidates = listed.records.filter(
            (record) => record.to === attempt.phone && record.from === attempt.from && record.startedAt !== null && record.startedAt.getTime() >= earliest,
          );
          const inUse = await callSidsInUse(
            app.pool,
            candidates.map((record) => record.callSid),
          );
          const found = candidates.filter((record) => !inUse.has(record.callSid)).sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
          if (found.length > 1)
            app.log.warn({ attemptId: attempt.id, calls: found.map((record) => record.callSid) }, 'several calls could be this dial: the first is taken');
          const call = found[0];
          if (call) {
            const terminal = terminalStateOfRecord(call.status);
            const adopted = terminal
              ? (await recordCallRecordOutcome(app.pool, attempt.id, call, terminal, { adopt: true })) !== null
              : await adoptCallSid(app.pool, attempt.id, call.callSid, call.status);
            if (adopted) {
              sweep.adopted += 1;
              app.log.info({ attemptId: attempt.id, callSid: call.callSid, status: call.status }, 'call of an unconfirmed dial found in the call records');
            }
            return;
          }
          if (attempt.absentChecks + 1 >= options.absentChecks) {
            const note = `no call in the records on ${attempt.absentChecks + 1} checks: never placed`;
            if (await markNotPlaced(app.pool, attempt.id, note)) {
              sweep.notPlaced += 1;
              app.log.warn({ attemptId: attempt.id }, 'dial never placed (no call in the records): the contact is dialed again');
            }
            return;
          }
          await recordUnconfirmedCheck(app.pool, attempt.id, true, options.spacingMs, `no call in the records yet (check ${attempt.absentChecks + 1})`);
        } catch (error) {
          app.log.error({ err: error, attemptId: attempt.id }, 'unconfirmed attempt check failed');
        }
      }),
    ),
  );
  return sweep;
}
