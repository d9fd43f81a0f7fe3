import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseFaults, parseHostList, parseNonNegativeInteger, parseOutcomeWeights, parseShare } from '../../simulator/parse-cli-options.ts';
import { makeSigningKeyPair, makeSigningKeyPairFromPem, type SigningKeyPair } from '../../telnyx/signature.ts';
import { report } from '../output.ts';
import { listenForShutdown } from '../../shutdown.ts';

interface SimulatorCommandOptions {
  port: string;
  host: string;
  apiKey: string;
  latencyMs: string;
  outcomes: string;
  faultRate?: string;
  faults?: string;
  rateLimit: string;
  concurrentCalls?: string;
  callbackDelayMs: string;
  callDurationMs: string;
  privateKeyFile?: string;
  seed?: string;
  callbackHosts?: string;
  accountSid?: string;
  recordDelayMs: string;
  recordRateLimited: string;
  dropCallbacks: string;
  conversationMessages: string;
  insightsDelayMs: string;
  conversationDelayMs: string;
  insightsWebhook?: string;
  json?: boolean;
}

export function registerSimulator(program: Command): void {
  program
    .command('simulator')
    .description(
      "Run the built-in stand-in for Telnyx's outbound AI call API (POST /v2/texml/ai_calls/:connectionId): " +
        'bearer check, full validation with Telnyx error codes, the 30 dials/s over 5 s rate limit, latency, ' +
        'injected faults and an outcome mix, then signed status/AMD/conversation/recording callbacks. ' +
        'Prints the base URL (TELNYX_API_BASE_URL), API key (TELNYX_API_KEY) and public key (TELNYX_PUBLIC_KEY). ' +
        'Stops on SIGINT/SIGTERM.',
    )
    .option('--port <port>', 'port to listen on (0 = any free port)', '4010')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--api-key <key>', 'the bearer key it accepts', 'sim-key')
    .option('--latency-ms <ms>', 'delay before each dial response', '0')
    .option(
      '--outcomes <weights>',
      'outcome weights: completed, no-answer, busy, failed, canceled, voicemail',
      'completed=70,no-answer=10,busy=5,failed=5,voicemail=10',
    )
    .option('--fault-rate <rate>', 'share of dial requests (0..1) failed by an injected fault, spread over every kind')
    .option('--faults <rates>', 'per-kind fault rates, e.g. server_error=0.05,timeout_after_placing=0.02')
    .option('--rate-limit <perSecond>', 'dials per second allowed over a rolling 5 s window (0 = no limit)', '30')
    .option('--concurrent-calls <n>', 'account concurrent-call limit: calls beyond it fail (SIP 403)')
    .option('--callback-delay-ms <ms>', "gap between a call's callbacks", '200')
    .option('--call-duration-ms <ms>', 'how long an answered call lasts', '2000')
    .option('--private-key-file <path>', 'PEM Ed25519 signing key to use (created there when missing), so the public key stays the same across runs')
    .option('--seed <n>', 'makes outcomes and faults reproducible')
    .option(
      '--callback-hosts <hosts>',
      'comma-separated hosts callbacks may go to besides loopback ones (127.0.0.0/8, ::1, localhost), * for any host; callbacks to other hosts are skipped, never sent',
    )
    .option('--account-sid <id>', 'the account id: AccountSid of every callback and the {account_sid} of call-record URLs (default: a random one)')
    .option('--record-delay-ms <ms>', 'how long after its dial a call record becomes visible (GET .../Calls answers 404 until then)', '1000')
    .option('--record-rate-limited <rate>', 'share of call-record GETs (0..1) answered 429 (10011)', '0')
    .option('--drop-callbacks <rate>', 'share of calls (0..1) whose callbacks are never sent, as if the receiver had been down', '0')
    .option('--conversation-messages <n>', 'messages in the transcript of each answered call', '12')
    .option('--insights-delay-ms <ms>', 'how long after an answered call ends its insights complete', '5000')
    .option('--conversation-delay-ms <ms>', 'how long after its call ends a conversation becomes visible (404 until then)', '0')
    .option('--insights-webhook <url>', 'POST the signed call.conversation_insights.generated webhook there when insights complete')
    .option('--json', 'print the start-up details as JSON')
    .action(async (options: SimulatorCommandOptions) => {
      const { startSimulator } = await import('../../simulator/simulator.ts');
      const perSecond = parseNonNegativeInteger(options.rateLimit, '--rate-limit');
      const simulator = await startSimulator({
        port: parseNonNegativeInteger(options.port, '--port'),
        host: options.host,
        apiKey: options.apiKey,
        latencyMs: parseNonNegativeInteger(options.latencyMs, '--latency-ms'),
        outcomes: parseOutcomeWeights(options.outcomes),
        faults: parseFaults(options.faultRate, options.faults),
        rateLimit: perSecond === 0 ? false : { perSecond, windowSeconds: 5 },
        accountConcurrentCalls: options.concurrentCalls === undefined ? undefined : parseNonNegativeInteger(options.concurrentCalls, '--concurrent-calls'),
        callbackDelayMs: parseNonNegativeInteger(options.callbackDelayMs, '--callback-delay-ms'),
        callDurationMs: parseNonNegativeInteger(options.callDurationMs, '--call-duration-ms'),
        signingKey: options.privateKeyFile ? loadOrCreateKey(options.privateKeyFile) : undefined,
        seed: options.seed === undefined ? undefined : parseNonNegativeInteger(options.seed, '--seed'),
        allowedCallbackHosts: parseHostList(options.callbackHosts),
        accountSid: options.accountSid,
        callRecords: {
          visibilityDelayMs: parseNonNegativeInteger(options.recordDelayMs, '--record-delay-ms'),
          rateLimitedRate: parseShare(options.recordRateLimited, '--record-rate-limited'),
        },
        dropCallbacksRate: parseShare(options.dropCallbacks, '--drop-callbacks'),
        conversations: {
          messages: parseNonNegativeInteger(options.conversationMessages, '--conversation-messages'),
          insightsDelayMs: parseNonNegativeInteger(options.insightsDelayMs, '--insights-delay-ms'),
          visibilityDelayMs: parseNonNegativeInteger(options.conversationDelayMs, '--conversation-delay-ms'),
          ...(options.insightsWebhook ? { insightsWebhookUrl: options.insightsWebhook } : {}),
        },
        onSkippedHost: (host) => {
          process.stderr.write(`callbacks to ${host} are skipped, never sent: only loopback hosts get callbacks (allow it with --callback-hosts ${host})\n`);
        },
        onDelivery: (delivery) => {
          if (delivery.responseStatus !== undefined && delivery.responseStatus < 300) return;
          const why = delivery.error ?? `HTTP ${delivery.responseStatus}`;
          process.stderr.write(`callback ${delivery.kind} ${delivery.callStatus ?? ''} to ${delivery.url} failed (try ${delivery.attempt}): ${why}\n`);
        },
      });
      report({ baseUrl: simulator.baseUrl, apiKey: simulator.apiKey, publicKey: simulator.publicKey, accountSid: simulator.accountSid }, options, (started) =>
        [
          `Telnyx simulator listening; point the dialer at it with:`,
          `  TELNYX_API_BASE_URL=${started.baseUrl}`,
          `  TELNYX_API_KEY=${started.apiKey}`,
          `  TELNYX_PUBLIC_KEY=${started.publicKey}`,
          `  TELNYX_ACCOUNT_SID=${started.accountSid}`,
        ].join('\n'),
      );
      await listenForShutdown().received;
      await simulator.close();
    });
}

function loadOrCreateKey(path: string): SigningKeyPair {
  if (existsSync(path)) return makeSigningKeyPairFromPem(readFileSync(path, 'utf8'));
  const pair = makeSigningKeyPair();
  writeFileSync(path, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return pair;
}
