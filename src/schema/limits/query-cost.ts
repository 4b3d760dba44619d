import { getNamedType, GraphQLError, isLeafType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../../domain/errors.js';
import { MAX_PAGE_SIZE } from '../../domain/pagination.js';

/**
 * Cost counts objects, the way rows are loaded: a scalar or enum field is free, every object
 * field costs 1 plus its selection, and a connection costs 1 plus `first` times its selection,
 * so `first: 100` of a heavy node is priced as the 100 nodes it really loads. Connections
 * without `first`, or with more than 100, are refused here, before any resolver runs.
 */
const connectionEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (!getNamedType(field.type).name.endsWith('Connection')) return undefined;
  const first: unknown = args.first ?? args.last;
  const where = `${type.name}.${field.name}`;
  if (first === undefined || first === null) {
    throw limitError(`${where}: "first" is required, from 1 to ${MAX_PAGE_SIZE}`, {
      field: 'first',
      max: MAX_PAGE_SIZE,
    });
  }
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw limitError(`${where}: "first" must be from 1 to ${MAX_PAGE_SIZE}, got ${String(first)}`, {
      field: 'first',
      min: 1,
      max: MAX_PAGE_SIZE,
    });
  }
  return 1 + first * Math.max(childComplexity, 1);
};

const objectEstimator: ComplexityEstimator = ({ field, childComplexity }) =>
  isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity;

/** A refusal by our own limits, told apart from errors graphql-js raises while pricing. */
class QueryLimitError extends GraphQLError {}

function limitError(message: string, details: Record<string, unknown>): QueryLimitError {
  return new QueryLimitError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...details, http: { status: 400 } },
  });
}

/** A priced operation: its cost, the refusal to repeat, or undefined when it cannot be priced. */
type Pricing = number | QueryLimitError | undefined;

/**
 * Cost depends only on the document, the operation and the variables. Apollo hands the same
 * DocumentNode object to every request with the same query text, so pricings are remembered per
 * document (a few variable sets each) instead of walking the document on every request.
 */
const pricingCache = new WeakMap<DocumentNode, Map<string, Pricing>>();
const VARIABLE_SETS_PER_DOCUMENT = 64;

/** Throws a BAD_USER_INPUT GraphQLError reporting the cost when the operation is too expensive. */
export function assertQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxCost: number,
): number | undefined {
  const key = `${maxCost}\u0000${operationName ?? ''}\u0000${variables && Object.keys(variables).length > 0 ? JSON.stringify(variables) : ''}`;
  let perDocument = pricingCache.get(document);
  let pricing: Pricing;
  if (perDocument?.has(key)) {
    pricing = perDocument.get(key);
  } else {
    pricing = priceQuery(schema, document, variables, operationName, maxCost);
    if (!perDocument) pricingCache.set(document, (perDocument = new Map()));
    if (perDocument.size < VARIABLE_SETS_PER_DOCUMENT) perDocument.set(key, pricing);
  }
  if (pricing instanceof QueryLimitError) throw pricing;
  return pricing;
}

function priceQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxCost: number,
): Pricing {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [connectionEstimator, objectEstimator],
    });
  } catch (error) {
    if (error instanceof QueryLimitError) return error;
    // Variables that do not coerce cannot be priced; execution refuses them next with a 400
    // naming the variable, before any resolver runs.
    return undefined;
  }
  if (cost > maxCost) {
    return limitError(`Query cost ${cost} exceeds the limit of ${maxCost}: ask for fewer fields or smaller pages`, {
      cost,
      maxCost,
    });
  }
  return cost;
}
