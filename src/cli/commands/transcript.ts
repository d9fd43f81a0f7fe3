import type { Command } from 'commander';
import type { ContactDetail } from '../../results/read-contact-detail.ts';
import { report } from '../output.ts';

export function registerTranscript(program: Command): void {
  program
    .command('transcript')
    .description(
      'Print what one contact’s AI call achieved: its latest conversation (state, goal met, opt-out), the ' +
        'insights (by label) and the transcript, one `role: text` line per message. With --json, the ' +
        'contact’s result and every attempt with its transcript and insights.',
    )
    .argument('<contact>', 'contact id, or phone number in E.164 (e.g. +13125550123)')
    .requiredOption('--campaign <campaign>', 'campaign id or name')
    .option('--json', 'print the contact and all its attempts as JSON')
    .action(async (contact: string, options: { campaign: string; json?: boolean }) => {
      const [{ withApp }, { readContactDetail }, { findCampaignId }] = await Promise.all([
        import('../../app.ts'),
        import('../../results/read-contact-detail.ts'),
        import('../../campaigns/find-campaign-id.ts'),
      ]);
      report(await withApp(async (app) => readContactDetail(app.pool, await findCampaignId(app.pool, options.campaign), contact)), options, formatTranscript);
    });
}

export function formatTranscript(detail: ContactDetail): string {
  const result = detail.result;
  const head = `contact ${String(result.phone)} (${String(result.contact_id)}): ${String(result.outcome ?? result.state)}`;
  // The latest attempt that has post-call work, else the latest one.
  const attempt = detail.attempts.find((candidate) => candidate.conversation_state !== null) ?? detail.attempts[0];
  if (!attempt) return `${head}\nnever dialed: no conversation`;
  if (attempt.conversation_state === null)
    return `${head}\nattempt ${attempt.attempt_number} (${attempt.state}): no conversation read (not answered by a person, or the campaign has no conversation block)`;
  const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
  const lines = [
    head,
    `attempt ${attempt.attempt_number}, call ${attempt.call_sid ?? '-'}, conversation ${attempt.conversation_id ?? 'not found'}: ${attempt.conversation_state}` +
      (attempt.conversation_state === 'completed' ? '' : ` (${attempt.conversation_note ?? ''})`),
    `goal met: ${yesNo(attempt.goal_met)}; opted out: ${yesNo(attempt.opted_out)}; insights pending: ${attempt.insights_pending ?? 0}`,
  ];
  const insights = attempt.insights ?? [];
  if (insights.length > 0) {
    lines.push('insights:');
    for (const insight of insights)
      lines.push(`  ${insight.label ?? insight.id}: ${insight.status === 'completed' ? (insight.raw ?? '') : `(${insight.status})`}`);
  }
  if (attempt.transcript === null) lines.push('transcript: not read');
  else {
    lines.push(`transcript (${attempt.transcript.length} messages):`);
    for (const message of attempt.transcript) lines.push(`${message.role}: ${message.text.replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines.join('\n');
}
