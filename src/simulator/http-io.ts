import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelnyxErrorObject } from './telnyx-error.ts';

// Small response helpers; `entry.status` records what was actually sent.
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function reply(response: ServerResponse, status: number, errors: TelnyxErrorObject[], headers: Record<string, string> = {}): void {
  sendRaw(response, status, JSON.stringify({ errors }), 'application/json', undefined, headers);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string>, entry: { status?: number }): void {
  sendRaw(response, status, JSON.stringify(body), 'application/json', entry, headers);
}

export function sendRaw(
  response: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  entry?: { status?: number },
  headers: Record<string, string> = {},
): void {
  if (entry) entry.status = status;
  response.writeHead(status, { 'content-type': contentType, ...headers });
  response.end(text);
}
