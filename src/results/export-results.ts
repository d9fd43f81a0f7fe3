import type pg from 'pg';
import { toCsvLine } from './csv-cell.ts';
import { readResultsPage, type ContactResult, type ResultsFilter } from './read-results-page.ts';
import { csvFixedColumns, resultColumns, transcriptColumn, variableColumn } from './result-columns.ts';

export type ResultsFormat = 'csv' | 'json';

/**
 * Every contact of a campaign as CSV (variables as columns) or as a JSON array, produced page by
 * page so memory stays flat for millions of contacts. Consume with stream.pipeline / Readable.from.
 * `filter` keeps only the matching contacts (the console's download of its current filter).
 */
export async function* exportResults(pool: pg.Pool, campaignId: string, format: ResultsFormat, filter: ResultsFilter = {}): AsyncGenerator<string> {
  const variableKeys = await readVariableKeys(pool, campaignId);
  const labels = await readInsightLabels(pool, campaignId);
  const columns = csvFixedColumns(labels);
  if (format === 'csv') yield toCsvLine([...columns, ...variableKeys.map((key) => variableColumn(key, labels))]);
  else yield '[';
  let first = true;
  for await (const row of eachResult(pool, campaignId, filter)) {
    if (format === 'csv') {
      yield toCsvLine([...columns.map((column) => csvCell(row, column)), ...variableKeys.map((key) => row.variables[key])]);
    } else {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(toJsonResult(row))}`;
    }
    first = false;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

// A list (the time zones) is one cell of space-separated names: zone names have no spaces. A label's
// cell is its insight's result text; the transcript is one `role: text` line per message.
function csvCell(row: ContactResult, column: string): unknown {
  if (column === transcriptColumn) return transcriptText(row.transcript);
  if (!(resultColumns as readonly string[]).includes(column)) return row.insights?.find((insight) => insight.label === column)?.raw ?? null;
  const value = row[column as (typeof resultColumns)[number]];
  return Array.isArray(value) ? value.join(' ') : value;
}

/** The transcript as text: one `role: text` line per message (line breaks inside a message become spaces). */
export function transcriptText(messages: readonly { role: string; text: string }[] | null): string | null {
  return messages === null ? null : messages.map((message) => `${message.role}: ${message.text.replace(/\s*\n\s*/g, ' ')}`).join('\n');
}

/**
 * A result as the JSON API and export give it: the fixed columns, `variables` as an object, and what the
 * call achieved: `transcript`, `insights` and `insight_results` (label -> result).
 */
export function toJsonResult(row: ContactResult): Record<string, unknown> {
  return {
    ...Object.fromEntries(resultColumns.map((column) => [column, row[column]])),
    variables: row.variables,
    transcript: row.transcript,
    insights: row.insights,
    insight_results: row.insight_results,
  };
}

/** The campaign's insight labels, in config order: one CSV column each. */
async function readInsightLabels(pool: pg.Pool, campaignId: string): Promise<string[]> {
  const { rows } = await pool.query<{ insights: Record<string, string> | null }>(
    `SELECT config->'conversation'->'insights' AS insights FROM campaign WHERE id = $1`,
    [campaignId],
  );
  const insights = rows[0]?.insights;
  return insights && typeof insights === 'object' ? [...new Set(Object.values(insights).filter((label) => typeof label === 'string'))] : [];
}

async function* eachResult(pool: pg.Pool, campaignId: string, filter: ResultsFilter): AsyncGenerator<ContactResult> {
  let after: string | null = null;
  do {
    const page = await readResultsPage(pool, campaignId, { after, limit: 2000, filter });
    yield* page.rows;
    after = page.nextCursor;
  } while (after !== null);
}

/** Every variable name used by the campaign's contacts, sorted: the CSV needs its header first. */
async function readVariableKeys(pool: pg.Pool, campaignId: string): Promise<string[]> {
  const { rows } = await pool.query<{ key: string }>('SELECT DISTINCT jsonb_object_keys(variables) AS key FROM contact WHERE campaign_id = $1 ORDER BY 1', [
    campaignId,
  ]);
  return rows.map((row) => row.key);
}
