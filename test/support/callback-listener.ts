import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Form fields of the body (POST) or the query (GET). */
  fields: URLSearchParams;
  at: number;
}

export interface CallbackListener {
  url: string;
  received: ReceivedCallback[];
  /** Resolves once `predicate` holds for what has arrived (checked on every arrival). */
  waitFor(predicate: (received: ReceivedCallback[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** A small HTTP listener standing in for our receiver; `answer` picks each response's status (default 200). */
export async function startCallbackListener(answer: (callback: ReceivedCallback) => number = () => 200): Promise<CallbackListener> {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://listener');
      const rawBody = Buffer.concat(chunks);
      const callback: ReceivedCallback = {
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        rawBody,
        fields: request.method === 'GET' ? url.searchParams : new URLSearchParams(rawBody.toString('utf8')),
        at: Date.now(),
      };
      received.push(callback);
      response.writeHead(answer(callback)).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor(predicate) {
      return new Promise((resolve) => {
        const check = () => {
          if (!predicate(received)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
