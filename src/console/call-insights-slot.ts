/**
 * Where the console shows what each AI call achieved (a goal rate per campaign, a contact's transcript
 * as a conversation, the insights) once that data exists: nothing records it yet, so every reader
 * answers "none" and the pages render no column and no section for it (never placeholder figures).
 * The work that records goals, transcripts and insights fills these two readers in.
 */
export interface CallInsightsSource {
  /** Goal rate (0 to 1) per campaign id; campaigns without data are absent. */
  goalRates(campaignIds: readonly string[]): Promise<Map<string, number>>;
  /** A contact's conversation and insights, or null when there are none. */
  contactInsights(contactId: string): Promise<ContactInsights | null>;
}

export interface ContactInsights {
  transcript: Array<{ role: 'assistant' | 'user'; text: string; at: Date | null }>;
  insights: Array<{ name: string; value: string }>;
}

export const noCallInsights: CallInsightsSource = {
  goalRates: async () => new Map(),
  contactInsights: async () => null,
};
