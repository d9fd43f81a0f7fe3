import { isDeepStrictEqual } from 'node:util';
import type { ConversationConfig, JsonValue } from '../campaigns/config-schema.ts';

/** One insight of a conversation as stored: its result as text and, when that text is JSON, parsed. */
export interface StoredInsight {
  id: string;
  /** The campaign's label for it, or null (kept under its id). */
  label: string | null;
  status: 'completed' | 'failed' | 'missing';
  raw: string | null;
  parsed: JsonValue | null;
}

/** A dot-separated path into a JSON result ("patient.confirmed"); undefined when any step is missing. */
export function valueAtPath(value: JsonValue | null, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value ?? undefined;
  for (const step of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? (/^\d+$/.test(step) ? current[Number(step)] : undefined) : current[step];
  }
  return current;
}

/**
 * Whether a goal or opt-out rule holds: null while unknown (its insight has no parsed JSON result yet, or
 * failed), else whether the value at its path equals the rule's value (a missing field: false).
 */
export function evaluateRule(rule: { insight: string; path: string; equals: JsonValue } | undefined, insights: readonly StoredInsight[]): boolean | null {
  if (!rule) return null;
  const insight = insights.find((candidate) => candidate.label === rule.insight);
  if (!insight || insight.status !== 'completed' || insight.parsed === null) return null;
  const value = valueAtPath(insight.parsed, rule.path);
  return value !== undefined && isDeepStrictEqual(value, rule.equals);
}

/** Text parsed as JSON when it is JSON (a template with a JSON schema answers JSON text); else null. */
export function parseInsightResult(raw: string): JsonValue | null {
  const text = raw.trim();
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(text)) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return null;
  }
}

export interface InsightRunLike {
  status: string;
  results: readonly { insightId: string; result: string }[];
}

/**
 * The insights of a conversation from its insight runs: every result of a completed run (labeled from
 * the campaign's config), plus each labeled insight without a result (failed when a run failed, else
 * missing). `finished` once there is at least one run and none is still pending or in progress.
 */
export function readInsightRuns(
  runs: readonly InsightRunLike[],
  labels: ConversationConfig['insights'],
): { insights: StoredInsight[]; finished: boolean; pending: number } {
  const insights: StoredInsight[] = [];
  for (const run of runs) {
    if (run.status !== 'completed') continue;
    for (const result of run.results) {
      if (insights.some((insight) => insight.id === result.insightId)) continue;
      insights.push({
        id: result.insightId,
        label: labels[result.insightId] ?? null,
        status: 'completed',
        raw: result.result,
        parsed: parseInsightResult(result.result),
      });
    }
  }
  const finished = runs.length > 0 && runs.every((run) => run.status === 'completed' || run.status === 'failed');
  const anyFailed = runs.some((run) => run.status === 'failed');
  let pending = 0;
  for (const [id, label] of Object.entries(labels)) {
    if (insights.some((insight) => insight.id === id)) continue;
    if (finished) insights.push({ id, label, status: anyFailed ? 'failed' : 'missing', raw: null, parsed: null });
    else pending += 1;
  }
  // Nothing labeled: the runs themselves are what is pending.
  if (!finished && Object.keys(labels).length === 0) pending = Math.max(1, runs.filter((run) => run.status !== 'completed' && run.status !== 'failed').length);
  return { insights, finished, pending };
}
