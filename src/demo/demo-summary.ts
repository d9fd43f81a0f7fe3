import type { Simulator } from '../simulator/simulator.ts';
import type { DemoCampaign } from './demo-setup.ts';
import type { DemoSnapshot, WaitingGroup } from './demo-snapshot.ts';
import type { WatchEnd } from './watch-campaign.ts';
import type { CampaignStatusReport } from '../campaigns/campaign-status.ts';
import type { SampleTranscript } from './demo-conversations.ts';

/** What `dialer demo --json` prints; every count is read back from Postgres. */
export interface DemoSummary {
  end: WatchEnd;
  campaign: { id: string; name: string; status: string; pauseReason: string | null };
  seconds: number;
  import: { rowsRead: number; imported: number; suppressed: number; duplicates: number; rejected: number; rejections: { row: number; reason: string }[] };
  contacts: { total: number; byState: Record<string, number> };
  /** Final outcomes, as `dialer status` counts them (voicemail apart from completed). */
  outcomes: Record<string, number>;
  dials: number;
  waiting: { contacts: number; nextWindowOpensAt: string | null; groups: WaitingGroup[] };
  /** Callback deliveries the simulator made, by the receiver's answer (2xx = signature checked and stored). */
  callbacks: { accepted: number; refused: number };
  /** What answered calls achieved (as `dialer status` reports it), and one transcript to show. */
  conversations: CampaignStatusReport['conversations'] & { sample: SampleTranscript | null };
}

export function makeDemoSummary(
  end: WatchEnd,
  campaign: DemoCampaign,
  snapshot: DemoSnapshot,
  simulator: Simulator,
  seconds: number,
  sample: SampleTranscript | null = null,
): DemoSummary {
  const { status } = snapshot;
  const answered = simulator.deliveries.filter((delivery) => delivery.responseStatus !== undefined && delivery.responseStatus < 300).length;
  return {
    end,
    campaign: { id: campaign.id, name: campaign.name, status: status.status, pauseReason: status.pauseReason },
    seconds: Math.round(seconds * 10) / 10,
    import: {
      rowsRead: campaign.import.rowsRead,
      imported: campaign.import.imported,
      suppressed: campaign.import.suppressed,
      duplicates: campaign.import.duplicates,
      rejected: campaign.import.rejectedCount,
      rejections: campaign.import.rejected.map(({ row, reason }) => ({ row, reason })),
    },
    contacts: { total: status.total, byState: status.contacts },
    outcomes: status.outcomes,
    dials: snapshot.dials,
    waiting: { contacts: snapshot.waiting, nextWindowOpensAt: snapshot.waitingGroups[0]?.opensAt ?? null, groups: snapshot.waitingGroups },
    callbacks: { accepted: answered, refused: simulator.deliveries.length - answered },
    conversations: { ...status.conversations, sample },
  };
}

export function formatDemoSummary(summary: DemoSummary, now = new Date()): string {
  const states = Object.entries(summary.contacts.byState).filter(([, count]) => count > 0);
  const outcomes = Object.entries(summary.outcomes)
    .filter(([, count]) => count > 0)
    .sort(([, a], [, b]) => b - a);
  const lines = [
    `campaign ${summary.campaign.id} (${summary.campaign.name}): ${summary.campaign.status}${summary.campaign.pauseReason ? ` (${summary.campaign.pauseReason})` : ''}`,
    `${summary.contacts.total} contacts, ${summary.dials} dialed in ${summary.seconds} s; callbacks: ${summary.callbacks.accepted} accepted, ${summary.callbacks.refused} refused`,
    'outcomes:',
    ...outcomes.map(([outcome, count]) => `  ${outcome.padEnd(12)} ${String(count).padStart(4)}`),
    `contacts by state: ${states.map(([state, count]) => `${state} ${count}`).join(', ')}`,
  ];
  const talked = summary.conversations;
  if (talked.read + talked.timedOut + talked.pending > 0) {
    const rate = talked.goalRate === null ? 'no result yet' : `${talked.goalMet} of ${talked.withGoalResult} (${Math.round(talked.goalRate * 1000) / 10} %)`;
    lines.push(
      `conversations: ${talked.read} read, ${talked.timedOut} timed out, ${talked.pending} still being read; goal met: ${rate}; opted out: ${talked.optedOut}`,
    );
  }
  if (talked.sample) {
    lines.push(`sample transcript (${talked.sample.phone}, goal met: ${talked.sample.goalMet === null ? 'unknown' : talked.sample.goalMet ? 'yes' : 'no'}):`);
    lines.push(...talked.sample.lines.map((line) => `  ${line}`));
  }
  if (summary.waiting.contacts === 0) {
    lines.push('waiting for their calling window: none');
  } else {
    lines.push(`waiting for their calling window (nobody is called before 08:00 or after 21:00 their time): ${summary.waiting.contacts}`);
    for (const group of summary.waiting.groups.slice(0, 12)) {
      const zones = group.zones.length > 3 ? `${group.zones.slice(0, 3).join(', ')} +${group.zones.length - 3} more` : group.zones.join(', ');
      lines.push(
        `  ${String(group.contacts).padStart(3)} at ${group.opensAt} (in ${describeWait(new Date(group.opensAt).getTime() - now.getTime())}): ${zones}`,
      );
    }
    if (summary.waiting.groups.length > 12) lines.push(`  ... ${summary.waiting.groups.length - 12} more opening times (use --json)`);
  }
  return lines.join('\n');
}

function describeWait(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
