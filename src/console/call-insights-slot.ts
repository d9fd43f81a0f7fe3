import type pg from 'pg';
import { readContactConversation, readGoalRates } from '../results/read-call-insights.ts';

/**
 * What each AI call achieved, as the console shows it: a goal rate per campaign, a contact's latest
 * transcript as a conversation, its insights. Campaigns and contacts without that data get no column
 * and no section (never placeholder figures).
 */
export interface CallInsightsSource {
  /** Goal rate (0 to 1) per campaign id; campaigns without a goal result are absent. */
  goalRates(campaignIds: readonly string[]): Promise<Map<string, number>>;
  /** A contact's latest conversation and insights, or null when there are none. */
  contactInsights(contactId: string): Promise<ContactInsights | null>;
}

export interface ContactInsights {
  attemptNumber: number;
  /** pending (still being read), completed, or timed_out. */
  state: string;
  goalMet: boolean | null;
  optedOut: boolean | null;
  transcript: Array<{ role: string; text: string; at: Date | null }>;
  insights: Array<{ name: string; value: string }>;
}

export function makeCallInsights(pool: pg.Pool): CallInsightsSource {
  return {
    goalRates: (campaignIds) => readGoalRates(pool, campaignIds),
    async contactInsights(contactId) {
      const conversation = await readContactConversation(pool, contactId);
      if (!conversation) return null;
      return {
        attemptNumber: conversation.attemptNumber,
        state: conversation.state,
        goalMet: conversation.goalMet,
        optedOut: conversation.optedOut,
        transcript: conversation.transcript.map((message) => ({ role: message.role, text: message.text, at: message.at ? new Date(message.at) : null })),
        insights: conversation.insights.map((insight) => ({
          name: insight.label ?? insight.id,
          // The parsed JSON when the result parsed, else its text, else why there is none.
          value: insight.parsed !== null && insight.parsed !== undefined ? JSON.stringify(insight.parsed) : (insight.raw ?? `(${insight.status})`),
        })),
      };
    },
  };
}
