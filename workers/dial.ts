// Entry point of a worker process: `npx tsx workers/dial.ts [--concurrency <n>]` runs `dialer worker`
// itself, with the same options, checks and shutdown.
import { main } from '../src/cli/main.ts';

process.exitCode = await main([process.argv[0]!, 'dialer', 'worker', ...process.argv.slice(2)]);
