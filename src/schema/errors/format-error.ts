import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { redactVariableValues } from './redact-variable-values.js';

/** Apollo and graphql-js codes that mean "the client sent something wrong". */
const CLIENT_FAULT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);
const KEPT_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * The one place errors become API errors: a DomainError keeps its code and safe details;
 * client mistakes become BAD_USER_INPUT (the original code kept as `reason`); anything else
 * is a bug and is masked as INTERNAL, so no stack, SQL or path ever reaches a client.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const location = { locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError && original.code !== ErrorCode.INTERNAL) {
    return { message: original.message, ...location, extensions: { ...original.details, code: original.code } };
  }
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  if (
    !(original instanceof DomainError) &&
    (original instanceof GraphQLError || !(original instanceof Error) || code)
  ) {
    if (code && KEPT_CODES.has(code)) {
      return {
        message: redactVariableValues(formatted.message),
        ...location,
        extensions: pickSafe(formatted.extensions, code),
      };
    }
    if (code && CLIENT_FAULT_CODES.has(code)) {
      return {
        message: redactVariableValues(formatted.message),
        ...location,
        extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code },
      };
    }
    // Errors graphql-js raises itself about the request (variable coercion, unknown fields, "Too many
    // errors processing variables") carry no code of their own; Apollo labels that last one
    // INTERNAL_SERVER_ERROR although it answers 400. Our own code's errors always arrive with an
    // originalError (graphql-js wraps what a resolver throws), so none is unmasked here.
    if ((!code || code === 'INTERNAL_SERVER_ERROR') && original instanceof GraphQLError && !original.originalError) {
      return {
        message: redactVariableValues(formatted.message),
        ...location,
        extensions: { code: ErrorCode.BAD_USER_INPUT },
      };
    }
  }
  return { message: 'Internal server error', ...location, extensions: { code: ErrorCode.INTERNAL } };
}

/**
 * Anything thrown, as a GraphQLError formatError can read. graphql-ws hands its hooks' errors to
 * the formatter as they are: a RangeError from a stack overflow used to reach `e.toJSON()` and
 * close the socket with 4500 "e.toJSON is not a function"; wrapped, it is a masked INTERNAL.
 */
export function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const original = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(original.message, { originalError: original });
}

function pickSafe(extensions: GraphQLFormattedError['extensions'], code: string): Record<string, unknown> {
  const { stacktrace: _s, exception: _e, http: _h, ...rest } = (extensions ?? {}) as Record<string, unknown>;
  return { ...rest, code };
}

/** True for errors the formatter will mask: the ones worth logging with their stack. */
export function isInternalError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original.code === ErrorCode.INTERNAL;
  if (original instanceof GraphQLError) {
    if (original.originalError && !(original.originalError instanceof GraphQLError))
      return isInternalError(original.originalError);
    return false;
  }
  return true;
}
