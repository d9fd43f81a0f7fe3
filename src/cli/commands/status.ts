import type { Command } from 'commander';
import type { CampaignStatusReport, PendingContacts } from '../../campaigns/campaign-status.ts';
import { report } from '../output.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show a campaign’s progress: contacts per state (pending ones split into due now, waiting for their ' +
        'calling window and waiting for a retry, with the next times), outcomes so far, dials per second ' +
        '(last 10 s), calls in progress, what answered calls achieved (goal rate, opt-outs, insights still ' +
        'pending) and why it is paused if it is. With --json, `done` says whether ' +
        'anything more will happen.',
    )
    .argument('<campaign>', 'campaign id or name')
    .option('--json', 'print the status as JSON (with a boolean `done`)')
    .action(async (campaign: string, options: { json?: boolean }) => {
      const [{ withApp }, { getCampaignStatus }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../campaigns/campaign-status.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      report(await withApp(async (app) => getCampaignStatus(app, await findCampaignId(app.pool, campaign))), options, formatStatus);
    });
}

export function formatStatus(s: CampaignStatusReport): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .filter(([, count]) => count > 0)
      .map(([key, count]) => `${key} ${count}${key === 'pending' ? formatPending(s.pending) : ''}`)
      .join(', ') || 'none';
  return [
    `campaign ${s.id} (${s.name}): ${s.status}${s.done ? ', done' : ''}`,
    s.pauseReason ? `paused because: ${s.pauseReason}` : null,
    `contacts (${s.total}): ${counts(s.contacts)}`,
    `outcomes: ${counts(s.outcomes)}`,
    `calls in progress: ${s.callsInProgress} of ${s.maxConcurrentCalls}; dials/s: ${s.dialsPerSecond} (last ${s.dialRateWindowSeconds} s)`,
    `call records: ${s.reconciliation.awaiting} awaiting reconciliation, ${s.reconciliation.outcomesFromCallRecords} outcomes from call records` +
      (s.reconciliation.notPlaced > 0 ? `, ${s.reconciliation.notPlaced} dials never placed (dialed again)` : ''),
    formatConversations(s.conversations),
  ]
    .filter(Boolean)
    .join('\n');
}

// `conversations: goal met 7 of 10 (70 %), 2 opted out; 10 read, 1 timed out, 3 still being read (2 with insights pending)`
function formatConversations(c: CampaignStatusReport['conversations']): string | null {
  if (c.read + c.timedOut + c.pending === 0) return null;
  const goal = c.goalRate === null ? 'goal met: no result yet' : `goal met ${c.goalMet} of ${c.withGoalResult} (${Math.round(c.goalRate * 1000) / 10} %)`;
  return (
    `conversations: ${goal}${c.optedOut > 0 ? `, ${c.optedOut} opted out` : ''}; ${c.read} read` +
    (c.timedOut > 0 ? `, ${c.timedOut} timed out` : '') +
    (c.pending > 0 ? `, ${c.pending} still being read (${c.insightsPending} with insights pending)` : '')
  );
}

// ` (due now 3, waiting for their window 5 until 2026-12-04 08:00 UTC, waiting for a retry 4 from ...)`
function formatPending(pending: PendingContacts): string {
  const parts = [
    pending.due > 0 ? `due now ${pending.due}` : null,
    pending.window > 0 ? `waiting for their window ${pending.window}${pending.windowOpensAt ? ` until ${formatUtcMinute(pending.windowOpensAt)}` : ''}` : null,
    pending.retry > 0 ? `waiting for a retry ${pending.retry}${pending.nextRetryAt ? ` from ${formatUtcMinute(pending.nextRetryAt)}` : ''}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** `2026-12-04T08:00:00.000Z` -> `2026-12-04 08:00 UTC`. */
function formatUtcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
