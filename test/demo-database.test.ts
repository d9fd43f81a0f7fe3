import { describe, expect, it } from 'vitest';
import { demoDatabaseUrl, demoSchema } from '../src/demo/demo-database.ts';
import { makeDatabaseTarget } from '../src/db/connection.ts';

describe('the demo database', () => {
  it('keeps the demo in a schema of its own, so a deployment on the same database never sees its campaigns', () => {
    const target = makeDatabaseTarget(demoDatabaseUrl('postgresql://postgres@127.0.0.1:5432/dialer'));
    expect(target).toMatchObject({ databaseName: 'dialer', schema: demoSchema });
    expect(makeDatabaseTarget('postgresql://postgres@127.0.0.1:5432/dialer').schema).toBe('public');
  });

  it('uses the schema DATABASE_URL names, when it names one', () => {
    const url = 'postgresql://postgres@127.0.0.1:5432/dialer?schema=mine&sslmode=disable';
    expect(demoDatabaseUrl(url)).toBe(url);
  });
});
