import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { DomainError, ErrorCode } from '../../src/domain/errors.js';
import { asGraphQLError, formatError, isInternalError } from '../../src/schema/errors/format-error.js';

const asResolverError = (original: Error) =>
  new GraphQLError(original.message, { originalError: original, path: ['x'] });

describe('error formatting', () => {
  it('masks a RangeError thrown before execution as INTERNAL, not "e.toJSON is not a function"', () => {
    const error = asGraphQLError(new RangeError('Maximum call stack size exceeded'));
    expect(formatError(error.toJSON(), error)).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: undefined,
      extensions: { code: 'INTERNAL' },
    });
    expect(isInternalError(error)).toBe(true);
    const thrownString = asGraphQLError('boom');
    expect(formatError(thrownString.toJSON(), thrownString).extensions?.code).toBe('INTERNAL');
  });

  it('keeps a domain error code, message and safe details', () => {
    const original = new DomainError(ErrorCode.BAD_USER_INPUT, 'first: must be from 1 to 100', {
      field: 'first',
      max: 100,
    });
    const error = asResolverError(original);
    expect(formatError(error.toJSON(), error)).toEqual({
      message: 'first: must be from 1 to 100',
      path: ['x'],
      locations: undefined,
      extensions: { code: 'BAD_USER_INPUT', field: 'first', max: 100 },
    });
    expect(isInternalError(error)).toBe(false);
  });

  it('masks a bug: no message, stack or SQL reaches the client', () => {
    const original = new Error('relation "secret_table" does not exist');
    const error = asResolverError(original);
    const formatted = formatError(
      { ...error.toJSON(), extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      error,
    );
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['x'],
      locations: undefined,
      extensions: { code: 'INTERNAL' },
    });
    expect(JSON.stringify(formatted)).not.toContain('secret_table');
    expect(isInternalError(error)).toBe(true);
  });

  it('turns parse and validation failures into BAD_USER_INPUT, keeping the reason', () => {
    const error = new GraphQLError('Cannot query field "x"', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatError(error.toJSON(), error).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it('gives graphql-js errors without a code (variable coercion) BAD_USER_INPUT', () => {
    const error = new GraphQLError('Variable "$n" got invalid value "x"; Int cannot represent non-integer value');
    expect(formatError(error.toJSON(), error).extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('keeps our own codes on GraphQL errors but drops transport details', () => {
    const error = new GraphQLError('The API key is not valid', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
    expect(formatError(error.toJSON(), error).extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});
