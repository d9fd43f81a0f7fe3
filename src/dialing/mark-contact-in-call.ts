import { nowUtcSql } from './sql-time.ts';

/**
 * The dial got its answer: the contact moves dialing -> in_call, but only while this attempt ($1) is
 * still the contact's current one. A late answer for an attempt the reconciler already settled must
 * not move the contact's next attempt.
 */
export const markContactInCallSql = `
UPDATE contact c SET state = 'in_call', updated_at = ${nowUtcSql}
FROM call_attempt a
WHERE a.id = $1 AND c.id = a.contact_id AND c.attempt_count = a.attempt_number AND c.state = 'dialing'`;
