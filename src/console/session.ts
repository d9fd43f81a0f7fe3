import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';

export const sessionCookieName = 'dialer_console';
/** A console session lasts 8 hours (a working day); signing in again starts a new one. */
export const sessionSeconds = 8 * 60 * 60;

export interface ConsoleSession {
  id: string;
  /** The synchronizer token every state-changing form and request must carry. */
  csrfToken: string;
}

/**
 * Console sessions: a random id kept in Redis with an expiry (so signing out really ends it, and a
 * copied cookie dies with it), sent to the browser as a signed, HttpOnly, SameSite=Strict cookie.
 * The signing key is derived from API_TOKEN, so changing the token ends every session; it is never logged.
 */
export function makeSessions(app: App) {
  const token = app.config.API_TOKEN;
  const key = token ? createHmac('sha256', token).update('dialer console session v1').digest() : null;
  const redisKey = (id: string) => `${app.config.QUEUE_PREFIX}:console-session:${id}`;
  const sign = (value: string) => createHmac('sha256', key!).update(value).digest('base64url');
  const csrfOf = (id: string) => sign(`csrf:${id}`);
  const secure = app.config.PUBLIC_BASE_URL.startsWith('https:');

  return {
    enabled: key !== null,

    /** Whether `presented` is the API_TOKEN (constant time whatever its length). */
    tokenMatches(presented: string): boolean {
      if (!token) return false;
      return timingSafeEqual(digest(presented), digest(token));
    },

    async start(reply: FastifyReply): Promise<ConsoleSession> {
      const id = randomBytes(32).toString('base64url');
      await app.redis().set(redisKey(id), '1', 'EX', sessionSeconds);
      reply.header('set-cookie', cookie(`${id}.${sign(id)}`, sessionSeconds, secure));
      return { id, csrfToken: csrfOf(id) };
    },

    async read(request: FastifyRequest): Promise<ConsoleSession | null> {
      if (!key) return null;
      const value = readCookie(request.headers.cookie, sessionCookieName);
      const [id, signature] = value?.split('.') ?? [];
      if (!id || !signature || !equalText(signature, sign(id))) return null;
      if ((await app.redis().exists(redisKey(id))) !== 1) return null;
      return { id, csrfToken: csrfOf(id) };
    },

    async end(session: ConsoleSession | null, reply: FastifyReply): Promise<void> {
      if (session) await app.redis().del(redisKey(session.id));
      reply.header('set-cookie', cookie('', 0, secure));
    },

    csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
      return presented !== undefined && equalText(presented, session.csrfToken);
    },
  };
}

export type Sessions = ReturnType<typeof makeSessions>;

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const expires = new Date(Date.now() + maxAgeSeconds * 1000).toUTCString();
  return `${sessionCookieName}=${value}; Path=/; Max-Age=${maxAgeSeconds}; Expires=${expires}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [cookieName, ...rest] = part.trim().split('=');
    if (cookieName === name) return rest.join('=');
  }
  return undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function equalText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
