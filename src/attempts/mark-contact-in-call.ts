import { nowUtcSql } from '../db/sql-time.ts';

/**
 * The dial got its answer: a CTE `in_call` that moves the contact dialing -> in_call, but only while the
 * attempt is still the contact's current one (a late answer for an attempt the reconciler already
 * settled must not move the contact's next attempt). It reads the CTE `attempt` (contact_id,
 * attempt_number), the attempt row the statement has just updated: attempt first, then contact.
 */
export const markContactInCallCte = `in_call AS (
  UPDATE contact c SET state = 'in_call', updated_at = ${nowUtcSql}
  FROM attempt a WHERE c.id = a.contact_id AND c.attempt_count = a.attempt_number AND c.state = 'dialing'
  RETURNING c.id
)`;
