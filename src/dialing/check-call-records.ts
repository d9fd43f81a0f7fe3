import pLimit from 'p-limit';
import type { App } from '../app.ts';
import { recordCallRecordOutcome, scheduleNextCheck, takeAttemptsToCheck, terminalStateOfRecord } from '../attempts/record-call-record.ts';
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
