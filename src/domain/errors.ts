/**
 * The one error vocabulary of Switchyard. Domain code throws DomainError with one of these
 * codes; the GraphQL layer turns it into `extensions.code`, HTTP routes into a status.
 * Anything that is not a DomainError is a bug and is reported as INTERNAL, with details masked.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  INSUFFICIENT_STOCK: 'INSUFFICIENT_STOCK',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe, client-facing facts about the failure (field name, allowed values, limits). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field, ...details });

export const notFound = (entity: string, id: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `${entity} ${id} does not exist`, { entity, id });
