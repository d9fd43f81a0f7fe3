const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a string has the form of a row id (every table's key is a uuid). Checked before a query,
 * so that anything else is "not found" (or a name) rather than a Postgres cast error.
 */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
