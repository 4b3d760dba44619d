import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { CONTROL_CHARACTER_RULE, controlCharacterIn } from '../../domain/control-characters.js';
import { ErrorCode } from '../../domain/errors.js';
import { MAX_TOKENS } from './limits.js';

/** Deepest nesting of objects and lists in `variables`, itself included (our inputs need fewer than 10). */
export const MAX_VARIABLE_DEPTH = 32;

/** Deepest nesting of `{`, `[` and `(` in the query text (selections, arguments, literals). */
export const MAX_QUERY_NESTING = 128;

/**
 * Size bounds on `variables`, far above any real input (the longest list an input takes is 250
 * items; the widest input object has fewer than 30 fields). graphql-js coerces variables
 * synchronously and writes the offending value into each of up to 50 errors, so 100,000 list
 * items or 5,000 unknown keys held the event loop for over 10 s, stalling every other request.
 */
export const MAX_VARIABLE_LIST_ITEMS = 1_000;
export const MAX_VARIABLE_OBJECT_KEYS = 100;
export const MAX_VARIABLE_VALUES = 10_000;

/**
 * Checks a request's raw shape before graphql-js sees it: graphql-js parses, validates and
 * coerces recursively, so a document or variables nested a few thousand levels deep overflow
 * the stack (a 500, or a closed socket), and a NUL character in any string reaches PostgreSQL,
 * which refuses it. Both walks here are iterative. Returns the refusal (BAD_USER_INPUT) or
 * undefined; a document that does not lex is left to the parser to report.
 */
export function requestShapeError(query: unknown, variables: unknown): GraphQLError | undefined {
  return (typeof query === 'string' ? queryTextError(query) : undefined) ?? variablesError(variables);
}

function refusal(message: string, extensions: Record<string, unknown>, source?: Source, position?: number) {
  return new GraphQLError(message, {
    ...(source && position !== undefined ? { source, positions: [position] } : {}),
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...extensions, http: { status: 400 } },
  });
}

function queryTextError(query: string): GraphQLError | undefined {
  const source = new Source(query);
  const lexer = new Lexer(source);
  let nesting = 0;
  try {
    for (let tokens = 0; tokens <= MAX_TOKENS; tokens++) {
      const token = lexer.advance();
      switch (token.kind) {
        case TokenKind.EOF:
          return undefined;
        case TokenKind.BRACE_L:
        case TokenKind.BRACKET_L:
        case TokenKind.PAREN_L:
          if (++nesting > MAX_QUERY_NESTING) {
            return refusal(
              `The query is nested deeper than ${MAX_QUERY_NESTING} levels of { [ (`,
              { limit: MAX_QUERY_NESTING },
              source,
              token.start,
            );
          }
          break;
        case TokenKind.BRACE_R:
        case TokenKind.BRACKET_R:
        case TokenKind.PAREN_R:
          nesting--;
          break;
        case TokenKind.STRING:
        case TokenKind.BLOCK_STRING: {
          const found = controlCharacterIn(token.value);
          if (found) {
            return refusal(
              `A string in the query contains the control character ${found}: ${CONTROL_CHARACTER_RULE}`,
              { character: found },
              source,
              token.start,
            );
          }
          break;
        }
      }
    }
  } catch {
    return undefined; // a syntax error: the parser reports it, with the same position
  }
  return undefined; // over the token limit: the parser refuses it
}

type PathPart = string | number;

/** A value still to check, linked to its parent so a path is built only for a refusal. */
interface Visit {
  value: unknown;
  key: PathPart;
  parent: Visit | undefined;
  depth: number;
}

function variablesError(variables: unknown): GraphQLError | undefined {
  if (variables === null || typeof variables !== 'object') return undefined;
  const pending: Visit[] = [{ value: variables, key: '', parent: undefined, depth: 0 }];
  let values = 0;
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const { value, depth } = visit;
    if (++values > MAX_VARIABLE_VALUES) {
      return refusal(`Variables hold more than ${MAX_VARIABLE_VALUES} values in all`, { limit: MAX_VARIABLE_VALUES });
    }
    if (typeof value === 'string') {
      const found = controlCharacterIn(value);
      if (found) return controlCharacterRefusal(pathOf(visit), found);
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_VARIABLE_DEPTH) {
        return refusal(
          `Variables are nested deeper than ${MAX_VARIABLE_DEPTH} levels (at ${variableName(pathOf(visit))})`,
          { limit: MAX_VARIABLE_DEPTH },
        );
      }
      const size = Array.isArray(value) ? value.length : Object.keys(value).length;
      const limit = Array.isArray(value) ? MAX_VARIABLE_LIST_ITEMS : MAX_VARIABLE_OBJECT_KEYS;
      if (size > limit) {
        const what = Array.isArray(value) ? 'a list of more than' : 'an object with more than';
        const unit = Array.isArray(value) ? 'items' : 'keys';
        return refusal(`Variable ${variableName(pathOf(visit))} is ${what} ${limit} ${unit} (${size})`, {
          field: variableName(pathOf(visit)),
          limit,
        });
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          pending.push({ value: value[i], key: i, parent: visit, depth: depth + 1 });
      } else {
        for (const [key, child] of Object.entries(value)) {
          const found = controlCharacterIn(key);
          if (found) return controlCharacterRefusal([...pathOf(visit), key], found);
          pending.push({ value: child, key, parent: visit, depth: depth + 1 });
        }
      }
    }
  }
  return undefined;
}

/** The keys from the variables object down to `visit`. */
function pathOf(visit: Visit): PathPart[] {
  const path: PathPart[] = [];
  for (let v: Visit | undefined = visit; v?.parent; v = v.parent) path.push(v.key);
  return path.reverse();
}

function controlCharacterRefusal(path: PathPart[], found: string): GraphQLError {
  const field = variableName(path);
  return refusal(`Variable ${field} contains the control character ${found}: ${CONTROL_CHARACTER_RULE}`, {
    field,
    character: found,
  });
}

/** `$input.lines.0.sku`: where the value sits in the variables, as a client would look for it. */
function variableName(path: PathPart[]): string {
  return `$${path.map((p) => (typeof p === 'string' ? JSON.stringify(p).slice(1, -1) : String(p))).join('.')}`;
}
