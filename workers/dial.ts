// Entry point of a worker process (`npx tsx workers/dial.ts [concurrency]`): the same as `dialer worker`.
// Environment: DATABASE_URL, REDIS_URL, QUEUE_PREFIX, TELNYX_API_BASE_URL, TELNYX_API_KEY, PUBLIC_BASE_URL.
import { withApp } from '../src/app.ts';
import { runWorkersUntilSignal } from '../src/dialing/run-until-signal.ts';

const concurrency = Number(process.argv[2] ?? 50);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${process.argv[2]}`);
await withApp((app) => runWorkersUntilSignal(app, concurrency));
