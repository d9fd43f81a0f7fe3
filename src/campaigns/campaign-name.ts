import { DialerError } from '../errors.ts';

/** Campaign names are unique (an operator addresses a campaign by id or name): the database's unique index says so. */
export function campaignNameTaken(name: string): DialerError {
  return new DialerError('conflict', `a campaign named "${name}" already exists`, 'name');
}

/** Prisma's unique-constraint failure (P2002); on the campaign table only the name can collide. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
