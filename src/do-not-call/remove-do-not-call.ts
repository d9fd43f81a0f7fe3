import type { Queryable } from '../db/queryable.ts';
import type { DoNotCallScope } from './add-do-not-call-numbers.ts';

/**
 * Takes a number off one list. Contacts already suppressed stay suppressed: removal only affects
 * later imports and dials, never silently puts a person back in a running campaign.
 */
export async function removeDoNotCall(pool: Queryable, scope: DoNotCallScope, phone: string): Promise<{ removed: boolean }> {
  const { rowCount } = await pool.query(`DELETE FROM do_not_call WHERE phone = $1 AND scope = $2`, [
    phone,
    scope.kind === 'global' ? 'global' : scope.campaignId,
  ]);
  return { removed: rowCount === 1 };
}
