import type pg from 'pg';

/** The Postgres backend (pid) behind a connection, to find the sessions its locks block. */
export async function backendPid(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

/**
 * How many sessions wait for a lock the backend `pid` holds (or waits for ahead of them). Counting
 * every lock waiter would also see other test files' sessions: they share the database.
 */
export async function sessionsBlockedBy(pool: pg.Pool, pid: number): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]);
  return rows[0]!.count;
}
