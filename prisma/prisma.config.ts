import { defineConfig } from 'prisma/config';

// Only `prisma generate` and `prisma studio` use this file; the app parses DATABASE_URL in src/config.ts.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/dialer' },
});
