import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { makeApp, type App } from '../app.ts';
import { parseConfigWith } from '../config.ts';
import { demoDatabaseUrl } from './demo-database.ts';
import { makeServer } from '../http/server.ts';
import { deleteKeysMatching, keysPatternOf } from '../redis.ts';
import { startSimulator, type Simulator } from '../simulator/simulator.ts';

/**
 * What the demo runs in its own process, wired as production would be across processes: the built-in
 * Telnyx simulator, the real callback receiver (checking the simulator's signatures), and the App the
 * workers use, pointed at both. Every Redis key lives under a prefix of this run's own.
 */
export interface DemoServices {
  simulator: Simulator;
  receiverUrl: string;
  /** The worker side: TELNYX_API_BASE_URL = the simulator, PUBLIC_BASE_URL = the receiver. */
  app: App;
  /** Waits (at most `ms`) for the simulator's callbacks still on their way (e.g. `analyzed` after the end). */
  settleCallbacks(ms: number): Promise<void>;
  close(): Promise<void>;
}

// A realistic mix for reminder calls; voicemail needs machine detection on in the campaign config.
const outcomes = { completed: 60, voicemail: 12, 'no-answer': 14, busy: 8, failed: 6 };

export async function startDemoServices(logLevel: string): Promise<DemoServices> {
  // Every answered call has a conversation: 12 messages, insights about 1.5 s after it ends, 1 in 10 opts out.
  const conversations = { messages: 12, insightsDelayMs: 1500, optOutRate: 0.1 };
  const simulator = await startSimulator({ outcomes, latencyMs: 40, callbackDelayMs: 150, callDurationMs: 2500, conversations });
  const shared = {
    DATABASE_URL: demoDatabaseUrl(parseConfigWith({}).DATABASE_URL),
    QUEUE_PREFIX: `demo-${Date.now()}-${randomBytes(3).toString('hex')}`,
    TELNYX_PUBLIC_KEY: simulator.publicKey,
    LOG_LEVEL: logLevel,
  };
  let receiverApp: App | undefined;
  let receiver: FastifyInstance | undefined;
  try {
    receiverApp = makeApp(parseConfigWith(shared));
    receiver = await makeServer(receiverApp);
    const receiverUrl = await receiver.listen({ host: '127.0.0.1', port: 0 });
    const app = makeApp(
      parseConfigWith({
        ...shared,
        TELNYX_API_BASE_URL: simulator.baseUrl,
        TELNYX_API_KEY: simulator.apiKey,
        TELNYX_ACCOUNT_SID: simulator.accountSid,
        PUBLIC_BASE_URL: receiverUrl,
        CONVERSATION_CHECK_SECONDS: '1',
        // The simulator has no read limit; the default 5/s would make the demo wait on its own pacing.
        CALL_RECORD_READS_PER_SECOND: '50',
      }),
    );
    const [openReceiver, openReceiverApp] = [receiver, receiverApp];
    return {
      simulator,
      receiverUrl,
      app,
      async settleCallbacks(ms) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([simulator.callbacksSettled(), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
        clearTimeout(timer);
      },
      async close() {
        // The receiver first: it finishes the callbacks it is storing while their senders are still
        // connected; the simulator's later deliveries are refused and dropped with it.
        await openReceiver.close();
        await simulator.close();
        await deleteKeys(app);
        await Promise.all([app.close(), openReceiverApp.close()]);
      },
    };
  } catch (error) {
    await simulator.close();
    await receiver?.close();
    await receiverApp?.close();
    throw error;
  }
}

// The run's queues, schedulers and pacing keys are of no use once it is over.
async function deleteKeys(app: App): Promise<void> {
  await deleteKeysMatching(app.redis(), keysPatternOf(app.redisTarget, app.config.QUEUE_PREFIX));
}
