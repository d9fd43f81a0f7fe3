/** The Postgres schema the demo keeps its campaigns in when DATABASE_URL names none. */
export const demoSchema = 'dialer_demo';

/**
 * The demo's DATABASE_URL: the same database, in a schema of its own unless the URL names one. Workers
 * of a deployment on that database (schema `public`) then never see the demo's campaigns, so they
 * cannot dial its example contacts through a real Telnyx account, and the demo's workers never see
 * theirs.
 */
export function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.searchParams.has('schema')) return databaseUrl;
  url.searchParams.set('schema', demoSchema);
  return url.toString();
}
