import type pg from 'pg';
import { toCsvLine } from './csv-cell.ts';
import { readResultsPage, type ContactResult, type ResultsFilter } from './read-results-page.ts';
import { resultColumns, variableColumn } from './result-columns.ts';

export type ResultsFormat = 'csv' | 'json';

/**
 * Every contact of a campaign as CSV (variables as columns) or as a JSON array, produced page by
 * page so memory stays flat for millions of contacts. Consume with stream.pipeline / Readable.from.
 * `filter` keeps only the matching contacts (the console's download of its current filter).
 */
export async function* exportResults(pool: pg.Pool, campaignId: string, format: ResultsFormat, filter: ResultsFilter = {}): AsyncGenerator<string> {
  const variableKeys = await readVariableKeys(pool, campaignId);
  if (format === 'csv') yield toCsvLine([...resultColumns, ...variableKeys.map(variableColumn)]);
  else yield '[';
  let first = true;
  for await (const row of eachResult(pool, campaignId, filter)) {
    if (format === 'csv') {
      yield toCsvLine([...resultColumns.map((column) => csvValue(row[column])), ...variableKeys.map((key) => row.variables[key])]);
    } else {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(toJsonResult(row))}`;
    }
    first = false;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

// A list (the time zones) is one cell of space-separated names: zone names have no spaces.
function csvValue(value: ContactResult[(typeof resultColumns)[number]]): unknown {
  return Array.isArray(value) ? value.join(' ') : value;
}

/** A result as the JSON API and export give it: the fixed columns plus `variables` as an object. */
export function toJsonResult(row: ContactResult): Record<string, unknown> {
  return { ...Object.fromEntries(resultColumns.map((column) => [column, row[column]])), variables: row.variables };
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
