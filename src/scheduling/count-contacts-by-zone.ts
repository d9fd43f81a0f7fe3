import type { Queryable } from '../db/queryable.ts';
import { contactTimezones } from '../calling-hours/contact-timezones.ts';
import type { ZoneGroup } from './estimate-finish.ts';
import { sqlStates, waitingContactStates } from '../attempts/states.ts';

const pageSize = 10_000;

/**
 * The campaign's contacts still to dial (pending or queued), grouped by the set of time zones their
 * calling window must hold in. Read page by page; NANP numbers share the answer per area code.
 */
export async function countContactsByZone(pool: Queryable, campaignId: string): Promise<ZoneGroup[]> {
  const groups = new Map<string, ZoneGroup>();
  const nanpCache = new Map<string, string[]>();
  let afterId = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await pool.query<{ id: string; phone: string; timezone: string | null }>(
      `SELECT id, phone, timezone FROM contact WHERE campaign_id = $1 AND state IN ${sqlStates(waitingContactStates)} AND id > $2 ORDER BY id LIMIT $3`,
      [campaignId, afterId, pageSize],
    );
    for (const row of rows) {
      const cacheKey = !row.timezone && row.phone.startsWith('+1') ? row.phone.slice(0, 5) : undefined;
      let zones = cacheKey ? nanpCache.get(cacheKey) : undefined;
      if (!zones) {
        zones = contactTimezones(row.phone, row.timezone);
        if (cacheKey) nanpCache.set(cacheKey, zones);
      }
      const key = zones.join(' ');
      const group = groups.get(key) ?? { zones, contacts: 0 };
      group.contacts++;
      groups.set(key, group);
    }
    if (rows.length < pageSize) break;
    afterId = rows.at(-1)!.id;
  }
  return [...groups.entries()].sort(([keyA, a], [keyB, b]) => b.contacts - a.contacts || keyA.localeCompare(keyB)).map(([, group]) => group);
}
