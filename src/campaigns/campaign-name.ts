import { DialerError } from '../errors.ts';

/** Campaign names are unique (an operator addresses a campaign by id or name): the database's unique index says so. */
export function campaignNameTaken(name: string): DialerError {
  return new DialerError('conflict', `a campaign named "${name}" already exists`, 'name');
}

/** A unique-constraint failure, from Prisma (P2002) or pg (23505); on the campaign table only the name can collide. */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'P2002' || code === '23505';
}
