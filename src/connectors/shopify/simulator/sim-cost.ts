import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type ArgumentNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's calculated-cost leaky bucket, per app and store: `maximumAvailable` points, refilled
 * at `restoreRate` points per second, never below 0. A call whose cost exceeds what is available
 * is refused (THROTTLED) and charges nothing.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class CostBucket {
  private available: number;
  private at: number;

  constructor(
    readonly maximum: number,
    readonly restoreRate: number,
    private readonly now: () => number,
  ) {
    this.available = maximum;
    this.at = now();
  }

  /** Refills for the time passed, then reports. */
  status(): ThrottleStatus {
    const now = this.now();
    this.available = Math.min(this.maximum, this.available + ((now - this.at) / 1000) * this.restoreRate);
    this.at = now;
    return {
      maximumAvailable: this.maximum,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }

  /** Takes `cost` points if available; false (and nothing taken) when not. */
  take(cost: number): boolean {
    this.status();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  /** Test hook: empty or refill the bucket. */
  set(available: number): void {
    this.status();
    this.available = Math.max(0, Math.min(this.maximum, available));
  }
}

/** Mutations cost 10 points on Shopify. */
export const MUTATION_COST = 10;

/**
 * A query's actual cost: one point per object it returns (scalars are free), at least 1. Shopify
 * checks the requested (up-front) cost against the bucket and the single-query cap, then charges
 * the actual cost (refunding the difference); the simulator does the same.
 */
export function objectCost(data: unknown): number {
  let cost = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      cost += 1;
      Object.values(v).forEach(walk);
    }
  };
  walk(data);
  return Math.max(1, cost - 1);
}

/** Shopify refuses any single query whose requested cost is above this, whatever the bucket holds. */
export const MAX_SINGLE_QUERY_COST = 1_000;

/**
 * A query's requested cost, priced up front as Shopify does (shopify.dev, "API rate limits"):
 * a scalar or enum costs 0, an object 1, a connection 2 plus `first` × the cost of one node, and
 * a plain list taking `first` that many times its item. A list without `first` counts one item.
 * Fragments are priced where they are spread. Mutations are priced separately (MUTATION_COST).
 */
export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = schema.getQueryType();
  if (!root) return 1;
  return Math.max(1, selectionCost(operation.selectionSet, root, fragments, variables, schema));
}

function selectionCost(
  set: SelectionSetNode,
  parent: GraphQLNamedType,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
): number {
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? parent) : parent;
      cost += selectionCost(sel.selectionSet, on, fragments, variables, schema);
      continue;
    }
    if (sel.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(sel.name.value);
      if (fragment) {
        const on = schema.getType(fragment.typeCondition.name.value) ?? parent;
        cost += selectionCost(fragment.selectionSet, on, fragments, variables, schema);
      }
      continue;
    }
    if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
    const def = parent.getFields()[sel.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (isLeafType(named) || !sel.selectionSet) continue;
    const inner = selectionCost(sel.selectionSet, named, fragments, variables, schema);
    const first = firstArgument(sel.arguments ?? [], variables);
    if (named.name.endsWith('Connection')) {
      // The connection and its pageInfo: 2; each of `first` nodes: what is selected under nodes / edges.node.
      cost += 2 + (first ?? 1) * nodeCost(sel.selectionSet, named, fragments, variables, schema);
    } else if (isListType(getNullableType(def.type))) {
      cost += (first ?? 1) * (1 + inner);
    } else {
      cost += 1 + inner;
    }
  }
  return cost;
}

/** One node of a connection: `nodes { … }` or `edges { node { … } }` (pageInfo is in the 2). */
function nodeCost(
  set: SelectionSetNode,
  connection: GraphQLNamedType,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  schema: GraphQLSchema,
): number {
  if (!isObjectType(connection)) return 1;
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind !== Kind.FIELD || !sel.selectionSet) continue;
    const def = connection.getFields()[sel.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (sel.name.value === 'nodes')
      cost = Math.max(cost, 1 + selectionCost(sel.selectionSet, named, fragments, variables, schema));
    if (sel.name.value === 'edges' && isObjectType(named)) {
      for (const e of sel.selectionSet.selections) {
        if (e.kind !== Kind.FIELD || e.name.value !== 'node' || !e.selectionSet) continue;
        const node = getNamedType(named.getFields().node!.type);
        cost = Math.max(cost, 1 + selectionCost(e.selectionSet, node, fragments, variables, schema));
      }
    }
  }
  return Math.max(1, cost);
}

function firstArgument(args: readonly ArgumentNode[], variables: Record<string, unknown>): number | null {
  const arg = args.find((a) => a.name.value === 'first');
  if (!arg) return null;
  const value = valueFromASTUntyped(arg.value, variables);
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : null;
}
