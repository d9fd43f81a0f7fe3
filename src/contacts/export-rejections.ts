import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type pg from 'pg';
import { DialerError } from '../errors.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const pageSize = 5_000;

/**
 * Which imports an id names: one import, or every import of a campaign (oldest first).
 */
export async function resolveImportIds(db: pg.Pool, importOrCampaignId: string): Promise<string[]> {
  if (!uuidPattern.test(importOrCampaignId)) throw new DialerError('invalid_input', `${JSON.stringify(importOrCampaignId)} is not an import or campaign id (uuid)`);
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM import WHERE id = $1 OR campaign_id = $1 ORDER BY started_at, id`,
    [importOrCampaignId],
  );
  if (rows.length) return rows.map((row) => row.id);
  const campaign = await db.query('SELECT 1 FROM campaign WHERE id = $1', [importOrCampaignId]);
  if (campaign.rowCount) return [];
  throw new DialerError('not_found', `no import or campaign with id ${importOrCampaignId}`);
}

/**
 * Writes the rejected rows of the given imports as CSV (import_id, row, reason, raw), page by page
 * (keyset on row number) so memory stays flat however many there are. Returns how many were written.
 */
export async function writeRejectionsCsv(db: pg.Pool, importIds: string[], out: Writable): Promise<number> {
  let written = 0;
  await write(out, 'import_id,row,reason,raw\n');
  for (const importId of importIds) {
    let afterRow = 0;
    let afterId = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await db.query<{ id: string; row_number: number; reason: string; raw: string }>(
        `SELECT id, row_number, reason, raw FROM import_rejection
          WHERE import_id = $1 AND (row_number, id) > ($2, $3::uuid)
          ORDER BY row_number, id LIMIT ${pageSize}`,
        [importId, afterRow, afterId],
      );
      if (!rows.length) break;
      await write(out, rows.map((row) => [importId, String(row.row_number), row.reason, row.raw].map(csvField).join(',')).join('\n') + '\n');
      written += rows.length;
      afterRow = rows.at(-1)!.row_number;
      afterId = rows.at(-1)!.id;
    }
  }
  return written;
}

export function openOutput(file: string): Writable {
  return createWriteStream(file);
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
