import type pg from 'pg';

/**
 * What a query function runs its statements on: the pool (each statement on any free connection) or
 * the client of a transaction in progress (the caller's transaction). Functions that open their own
 * transaction take the pool; those that need one session throughout (a session lock, a temp table)
 * take a pg.PoolClient.
 */
export type Queryable = Pick<pg.ClientBase, 'query'>;
