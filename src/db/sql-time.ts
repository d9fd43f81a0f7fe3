// Timestamp columns are `timestamp(3)` holding UTC (Prisma's convention): every write converts
// explicitly so the result never depends on a session's or a process's time zone.
export const nowUtcSql = `(now() AT TIME ZONE 'UTC')`;

/** SQL for a parameter carrying an ISO instant, as a UTC `timestamp`. */
export function utcParamSql(index: number): string {
  return `($${index}::timestamptz AT TIME ZONE 'UTC')`;
}
