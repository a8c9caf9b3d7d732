import { unwrapResolverError } from '@apollo/server/errors';
import { Prisma } from '@dialoop/db';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import type { Logger } from 'pino';

/**
 * Every error code a client can see. Modules throw `AppError`s with these codes; everything
 * leaves through `formatError`, which keeps these and masks anything else.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  TOO_MANY_GENERATIONS: 'TOO_MANY_GENERATIONS',
  UPSTREAM_ERROR: 'UPSTREAM_ERROR',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  UPSTREAM_INTERRUPTED: 'UPSTREAM_INTERRUPTED',
  /** The api process generating a reply stopped (crashed, or shut down past its grace period). */
  GENERATOR_STOPPED: 'GENERATOR_STOPPED',
  /** Every model server stayed busy past the reply's deadline in the queue (retry later: the event says when). */
  UPSTREAM_BUSY: 'UPSTREAM_BUSY',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The content filter refused the text; `extensions.category` names why. */
  SAFETY_BLOCKED: 'SAFETY_BLOCKED',
  /** Conversation monitoring locked the conversation; an admin may unlock it. */
  CONVERSATION_LOCKED: 'CONVERSATION_LOCKED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server and graphql-ws assign themselves, kept as they are. */
const PROTOCOL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Prisma errors that mean "not now" rather than "wrong": the connection pool or a transaction
 * slot could not be had in time (a saturated process), or the database cannot be reached.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { ...extensions, code, ...(status ? { http: { status } } : {}) } });
    this.code = code;
  }
}

export const notFound = (what: string) => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);

/**
 * NOT_FOUND to the client (another person's record looks exactly like a missing one), but a
 * refusal to the audit trail, which records it as DENIED.
 */
export class DeniedAsNotFound extends AppError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}

/** The NOT_FOUND for a lookup the caller's rules filtered out: a refusal when the record exists (`count` > 0). */
export const missing = (what: string, count: number) => (count > 0 ? new DeniedAsNotFound(what) : notFound(what));
export const forbidden = (message = 'Not allowed') => new AppError(ErrorCode.FORBIDDEN, message);
export const unauthenticated = (message = 'Authentication required') => new AppError(ErrorCode.UNAUTHENTICATED, message);
export const badInput = (message: string, extensions: Record<string, unknown> = {}) => new AppError(ErrorCode.BAD_USER_INPUT, message, extensions);

/** For exhaustive switches: a case the type system says cannot happen. */
export class UnreachableCaseError extends Error {
  constructor(val: never) {
    super(`Unreachable case: ${JSON.stringify(val)}`);
  }
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; constraints: string[] }[] {
  return errors.flatMap((e) => [
    ...(e.constraints ? [{ field: prefix + e.property, constraints: Object.values(e.constraints) }] : []),
    ...flatten(e.children ?? [], `${prefix}${e.property}.`),
  ]);
}

/**
 * Database failures that mean "what you named does not exist": a foreign-key violation (P2003, or
 * SQLSTATE 23503 from a raw query) and a required row not found (P2025, P2015, P2018).
 */
function missingReference(err: unknown): boolean {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (['P2003', 'P2015', 'P2018', 'P2025'].includes(err.code)) return true;
  const meta = err.meta as { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } | undefined;
  return meta?.code === '23503' || meta?.driverAdapterError?.cause?.originalCode === '23503' || meta?.driverAdapterError?.cause?.kind === 'ForeignKeyConstraintViolation';
}

/** The one error path for HTTP and WebSocket: known codes pass, the rest is logged and masked. */
export function createFormatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Resolver errors come wrapped with a path; graphql-ws wraps a failing stream's error without one.
    let original = unwrapResolverError(error);
    if (original instanceof GraphQLError && !(original instanceof AppError) && original.originalError instanceof GraphQLError) original = original.originalError;
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      const { http: _http, ...extensions } = original.extensions;
      return { ...base, message: original.message, extensions };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flatten(original.extensions.validationErrors);
      return { ...base, message: 'Argument validation failed', extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
    }
    if (missingReference(original)) {
      // A foreign key naming no row, or an update of a row that is gone: the client named something that does not exist.
      return { ...base, message: 'Something this request names does not exist', extensions: { code: ErrorCode.NOT_FOUND } };
    }
    if (original instanceof Prisma.PrismaClientKnownRequestError && UNAVAILABLE_PRISMA_CODES.has(original.code)) {
      log.warn({ err: original, path: formatted.path }, 'database unavailable or saturated');
      return { ...base, message: 'The service is overloaded or its database is unreachable; retry shortly', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PROTOCOL_CODES.has(code)) {
      return { ...base, extensions: { code } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error');
    return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
