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
  /** What has arrived so far; wait on it with waitFor (./wait-for.ts). */
  received: ReceivedCallback[];
  close(): Promise<void>;
}

/**
 * A small HTTP listener standing in for our receiver; `answer` picks each response's status (default 200).
 * It listens on `host` (default 127.0.0.1); its `url` names that host.
 */
export async function startCallbackListener(answer: (callback: ReceivedCallback) => number = () => 200, host = '127.0.0.1'): Promise<CallbackListener> {
  const received: ReceivedCallback[] = [];
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
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
