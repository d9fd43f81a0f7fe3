import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type { Queryable } from '../db/queryable.ts';
import { isUuid } from '../db/uuid.ts';
import { DialerError } from '../errors.ts';
import { findCampaignId } from '../campaigns/find-campaign-id.ts';

const pageSize = 5_000;

/**
 * Which imports are named: one import (by id), or every import of a campaign (oldest first), by id
 * or, for anything that is not a uuid, by name (findCampaignId: an unknown name is refused).
 */
export async function resolveImportIds(db: Queryable, importOrCampaign: string): Promise<string[]> {
  if (!isUuid(importOrCampaign)) {
    const campaignId = await findCampaignId(db, importOrCampaign);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM import WHERE campaign_id = $1 ORDER BY started_at, id', [campaignId]);
    return rows.map((row) => row.id);
  }
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM import WHERE id = $1 OR campaign_id = $1 ORDER BY started_at, id`, [importOrCampaign]);
  if (rows.length) return rows.map((row) => row.id);
  const campaign = await db.query('SELECT 1 FROM campaign WHERE id = $1', [importOrCampaign]);
  if (campaign.rowCount) return [];
  throw new DialerError('not_found', `no import or campaign with id ${importOrCampaign}`);
}

/**
 * Writes the rejected rows of the given imports as CSV (import_id, row, reason, raw), page by page
 * (keyset on row number) so memory stays flat however many there are. Returns how many were written.
 */
export async function writeRejectionsCsv(db: Queryable, importIds: string[], out: Writable): Promise<number> {
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
