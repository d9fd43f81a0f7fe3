import type pg from 'pg';
import { contactTimezones, isKnownTimezone, sharedCallingCodes } from '../calling-hours/contact-timezones.ts';
import { withTransaction } from '../db/with-transaction.ts';
import type { ZoneGroup } from './estimate-finish.ts';
import { sqlStates, waitingContactStates } from '../attempts/states.ts';

/**
 * The campaign's contacts still to dial (pending or queued), grouped by the set of time zones their
 * calling window must hold in. Postgres counts them per timezone column and number prefix, so only
 * those groups travel; each group's zones are worked out once here, from:
 * - the timezone, when it names a zone (the number does not matter then);
 * - for a +1 number without a timezone, its area prefix (`+1NXX`): the area's zones are those of its
 *   first contact by id (they differ within an area only for numbers that fit no NANP plan, which
 *   import refuses);
 * - for an E.164-shaped number of a calling code that one country owns alone, its first three digits
 *   (`+` and the calling code, maybe with some of the number): libphonenumber names that country
 *   whatever the digits after it, and three digits that start no calling code place it nowhere;
 * - for any other number (a calling code several countries share, whose country depends on the whole
 *   number's validity, or an odd shape), the number itself, read by a second query.
 */
export async function countContactsByZone(pool: pg.Pool, campaignId: string): Promise<ZoneGroup[]> {
  const waiting = `campaign_id = $1 AND state IN ${sqlStates(waitingContactStates)}`;
  const shaped = `phone ~ '^\\+[0-9]{6,15}$'`;
  const shared = sharedCallingCodes().map((code) => `+${code}`);
  const counts = new Map<string, ZoneGroup>();
  const add = (zones: string[], contacts: number) => {
    const key = zones.join(' ');
    const group = counts.get(key) ?? { zones, contacts: 0 };
    group.contacts += contacts;
    counts.set(key, group);
  };
  await withTransaction(pool, async (client) => {
    // One snapshot for both queries: no contact counted twice or missed as it changes state meanwhile.
    await client.query(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    // Postgres cannot tell how few prefixes there are: planning for one group per contact, it would
    // sort on disk and compile the query (JIT), which costs more than the whole count.
    await client.query(`SET LOCAL jit = off`);
    await client.query(`SET LOCAL work_mem = '64MB'`);
    const { rows } = await client.query<{ timezone: string | null; prefix: string; contacts: number; odd: number; first_phone: string | null }>(
      `SELECT g.timezone, g.prefix, g.contacts, g.odd, (SELECT phone FROM contact c WHERE c.id = g.first_id::uuid) AS first_phone
         FROM (SELECT nullif(timezone, '') AS timezone, left(phone, 5) AS prefix, count(*)::int AS contacts,
                      count(*) FILTER (WHERE phone NOT LIKE '+1%' AND NOT ${shaped})::int AS odd,
                      min(id::text COLLATE "C") FILTER (WHERE nullif(timezone, '') IS NULL AND phone LIKE '+1%') AS first_id
                 FROM contact WHERE ${waiting} GROUP BY 1, 2) g`,
      [campaignId],
    );
    const unknownTimezones = new Set<string>();
    let oddWithoutTimezone = false;
    for (const row of rows) {
      if (row.timezone !== null && isKnownTimezone(row.timezone.trim())) {
        add(contactTimezones('', row.timezone), row.contacts);
      } else if (row.first_phone !== null) {
        add(contactTimezones(row.first_phone, null), row.contacts);
      } else {
        // Shaped numbers: the prefix's first three digits stand for all of them; complete it to one.
        // (+1 is a shared code, so a +1 group never uses `odd`: the query skips the shape check there,
        // which would otherwise cost more than the rest of the count.)
        const byPrefix = shared.some((code) => row.prefix.startsWith(code)) ? 0 : row.contacts - row.odd;
        if (byPrefix > 0) add(contactTimezones(`${row.prefix.slice(0, 4)}0000000`, row.timezone), byPrefix);
        if (row.contacts > byPrefix) {
          if (row.timezone === null) oddWithoutTimezone = true;
          else unknownTimezones.add(row.timezone);
        }
      }
    }
    if (!oddWithoutTimezone && unknownTimezones.size === 0) return;
    const { rows: odd } = await client.query<{ timezone: string | null; phone: string; contacts: number }>(
      `SELECT nullif(timezone, '') AS timezone, phone, count(*)::int AS contacts
         FROM contact
        WHERE ${waiting} AND (NOT ${shaped} OR phone LIKE ANY($2::text[]))
          AND (${oddWithoutTimezone ? `nullif(timezone, '') IS NULL OR ` : ''}timezone = ANY($3::text[]))
          AND NOT (nullif(timezone, '') IS NULL AND phone LIKE '+1%')
        GROUP BY 1, 2`,
      [campaignId, shared.map((code) => `${code}%`), [...unknownTimezones]],
    );
    for (const row of odd) add(contactTimezones(row.phone, row.timezone), row.contacts);
  });
  return [...counts.entries()].sort(([keyA, a], [keyB, b]) => b.contacts - a.contacts || keyA.localeCompare(keyB)).map(([, group]) => group);
}
