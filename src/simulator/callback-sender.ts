import pLimit from 'p-limit';
import type { KeyObject } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { signCallback } from '../telnyx/signature.ts';
import type { PlannedCallback, SimulatedCallbackKind } from './call-plan.ts';
import type { Stopper } from './stopper.ts';

/** One HTTP try of one callback, as the simulator saw it. */
export interface CallbackDelivery {
  kind: SimulatedCallbackKind;
  url: string;
  method: 'GET' | 'POST';
  callSid: string;
  callStatus?: string;
  sequenceNumber?: number;
  /** 1 for the first try of a delivery. */
  attempt: number;
  at: number;
  responseStatus?: number;
  error?: string;
}

export interface CallbackSender {
  /** Delivers to one URL, retrying non-2xx answers and connection errors; resolves when done or given up. */
  send(callback: PlannedCallback, url: string, callSid: string): Promise<void>;
}

export function makeCallbackSender(options: {
  privateKey: KeyObject;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  /** Deliveries in flight at once, so a burst of calls cannot swamp the event loop. */
  concurrency: number;
  now: () => number;
  stopper: Stopper;
  record: (delivery: CallbackDelivery) => void;
}): CallbackSender {
  const { privateKey, retries, retryDelayMs, timeoutMs, now, stopper, record } = options;
  const limit = pLimit(options.concurrency);

  // node:http with keep-alive agents rather than fetch: a delivery costs a fraction of the CPU, which
  // matters when one simulator process stands in for Telnyx at hundreds of calls per second.
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: options.concurrency }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: options.concurrency }),
  };
  stopper.onStop(() => {
    agents['http:'].destroy();
    agents['https:'].destroy();
  });

  // The timer starts when the try leaves the queue; the simulator closing aborts it too.
  function post(url: string, method: string, headers: Record<string, string>, body: string): Promise<number> {
    return limit(
      () =>
        new Promise<number>((resolve, reject) => {
          const target = new URL(url);
          const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
          const controller = new AbortController();
          const untrack = stopper.track(controller);
          const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
          const request = send(target, { method, headers, agent, signal: controller.signal, timeout: timeoutMs }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
            response.on('error', reject);
          });
          request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
          request.on('error', reject);
          request.on('close', untrack);
          request.end(body);
        }),
    );
  }

  return {
    async send(callback, url, callSid) {
      for (let attempt = 1; attempt <= retries + 1 && !stopper.stopped; attempt += 1) {
        const delivery: CallbackDelivery = {
          kind: callback.kind,
          url,
          method: callback.method,
          callSid,
          callStatus: callback.callStatus,
          sequenceNumber: callback.sequenceNumber,
          attempt,
          at: now(),
        };
        try {
          const body = callback.method === 'GET' ? '' : callback.body;
          const target = callback.method === 'GET' ? withQuery(url, callback.query) : url;
          const headers = {
            ...signCallback(privateKey, body, now() / 1000),
            ...(callback.method === 'POST' ? { 'content-type': callback.contentType, 'content-length': String(Buffer.byteLength(body)) } : {}),
            'user-agent': 'telnyx-simulator',
          };
          delivery.responseStatus = await post(target, callback.method, headers, body);
          record(delivery);
          if (delivery.responseStatus >= 200 && delivery.responseStatus < 300) return;
        } catch (error) {
          if (stopper.stopped) return;
          delivery.error = describeError(error);
          record(delivery);
        }
        if (attempt <= retries) await stopper.wait(retryDelayMs * 2 ** (attempt - 1));
      }
    },
  };
}

function withQuery(url: string, query: string): string {
  if (!query) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
