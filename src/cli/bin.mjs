#!/usr/bin/env node
// The `dialer` executable: runs the TypeScript sources directly (no build step) through tsx's loader.
import { existsSync } from 'node:fs';
import { setTimeout } from 'node:timers';
import { register } from 'tsx/esm/api';

// `npm ci` generates the Prisma client (postinstall); without it (`--ignore-scripts`, a failed
// generate) every command would fail on an import of a missing file deep inside the one it loads.
// main.ts loads each command lazily and reports that as a failure of its own, so check up front.
if (!existsSync(new URL('../generated/prisma/client.ts', import.meta.url))) {
  process.stderr.write('error: the Prisma client is not generated (src/generated/prisma): run npm run generate\n');
  process.exit(1);
}

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
// A failed command has printed its one line and closed what it opened: a handle some library failed to
// close (a Redis connection, a timer) must not keep the process alive (the timer is unref'd: it fires
// only when something else still holds the event loop).
if (process.exitCode !== 0) setTimeout(() => process.exit(), 2000).unref();
