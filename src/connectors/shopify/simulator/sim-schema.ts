import {
  buildSchema,
  getDirectiveValues,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { SIM_SDL } from './sim-schema.graphql.js';
import { orderView } from './sim-order-view.js';
import type { RestOrder, SimState, SimVariant } from './sim-state.js';

/** Shopify caps every connection page and every input array at 250. */
export const MAX_PAGE = 250;
export const MAX_INPUT_ARRAY = 250;

type Json = Record<string, unknown>;
type Args = Record<string, unknown>;

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new GraphQLError('Invalid cursor for current pagination sort.', { extensions: { code: 'BAD_REQUEST' } });
  }
}

function pageSize(args: Args): number {
  const first = args.first as number | null | undefined;
  if (first === null || first === undefined) {
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  }
  if (first < 0 || first > MAX_PAGE) {
    throw new GraphQLError(`The first argument must be between 0 and ${MAX_PAGE}.`, {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  return first;
}

/** An index-cursor connection over an in-memory list (nested lists: line items, fulfillment orders). */
function listConnection<T>(items: T[], args: Args): Json {
  const first = args.first === undefined || args.first === null ? MAX_PAGE : pageSize(args);
  const start = args.after ? Number(decodeCursor(String(args.after))) + 1 : 0;
  const page = items.slice(start, start + first);
  return {
    nodes: page,
    edges: page.map((node, i) => ({ cursor: encodeCursor(start + i), node })),
    pageInfo: {
      hasNextPage: start + first < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? encodeCursor(start) : null,
      endCursor: page.length ? encodeCursor(start + page.length - 1) : null,
    },
  };
}

/** `updated_at:>='2026-01-01T00:00:00Z'` (also `>`, with or without quotes). */
function updatedSince(query: unknown): { at: number; inclusive: boolean } | null {
  if (typeof query !== 'string' || !query.trim()) return null;
  const m = /updated_at:(>=?)\s*['"]?([^'"\s]+)['"]?/.exec(query);
  if (!m) throw new GraphQLError(`Unsupported query filter in the simulator: ${query}`);
  const at = Date.parse(m[2]!);
  if (Number.isNaN(at)) throw new GraphQLError(`Invalid date in query: ${m[2]}`);
  return { at, inclusive: m[1] === '>=' };
}

/** `sku:A`, `sku:"A B"`, joined by OR: the set of SKUs asked for, or null for no filter. */
function skuFilter(query: unknown): Set<string> | null {
  if (typeof query !== 'string' || !query.trim()) return null;
  const skus = new Set<string>();
  for (const m of query.matchAll(/sku:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s]+))/g)) {
    skus.add(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  }
  return skus.size ? skus : null;
}

export interface IdempotencyRecord {
  input: string;
  result: unknown;
}

export interface SimSchemaHooks {
  /** Called after a state change that Shopify would announce by webhook. */
  onOrderChanged(order: RestOrder, topic: 'orders/updated' | 'orders/cancelled' | 'fulfillments/create'): void;
  /** Whether orders take their units out of `available` (and a restocking cancel puts them back). */
  commitsStock(): boolean;
}

export function buildSimSchema(
  state: SimState,
  idempotency: Map<string, IdempotencyRecord>,
  hooks: SimSchemaHooks,
): GraphQLSchema {
  const schema = buildSchema(SIM_SDL);
  const idempotentDirective = schema.getDirective('idempotent')!;
  const field = (type: string, name: string, resolve: GraphQLFieldResolver<unknown, unknown>) => {
    (schema.getType(type) as GraphQLObjectType).getFields()[name]!.resolve = resolve;
  };

  const variantView = (v: SimVariant): Json => ({ id: v.id, sku: v.sku, title: v.title, _variant: v });
  const itemView = (v: SimVariant): Json => ({ id: v.inventoryItemId, sku: v.sku, _variant: v });

  field('Query', 'orders', (_src, args: Args) => {
    const first = pageSize(args);
    const since = updatedSince(args.query);
    const sortKey = (args.sortKey as string | undefined) ?? 'ID';
    const keyOf = (o: RestOrder): [number, string] => [
      sortKey === 'UPDATED_AT'
        ? Date.parse(o.updated_at)
        : sortKey === 'CREATED_AT'
          ? Date.parse(String(o.created_at))
          : 0,
      o.admin_graphql_api_id,
    ];
    const cmp = (a: [number, string], b: [number, string]) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    let rows = [...state.orders.values()].filter((o) => {
      if (!since) return true;
      const at = Date.parse(o.updated_at);
      return since.inclusive ? at >= since.at : at > since.at;
    });
    rows.sort((a, b) => cmp(keyOf(a), keyOf(b)));
    if (args.reverse) rows.reverse();
    // Keyset cursor (sort value, id): a page boundary holds even while orders change in between.
    if (args.after) {
      const after = decodeCursor(String(args.after)) as [number, string];
      rows = rows.filter((o) => (args.reverse ? cmp(keyOf(o), after) < 0 : cmp(keyOf(o), after) > 0));
    }
    const page = rows.slice(0, first);
    const views = page.map((o) => orderView(state, o));
    return {
      nodes: views,
      edges: views.map((node, i) => ({ cursor: encodeCursor(keyOf(page[i]!)), node })),
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: Boolean(args.after),
        startCursor: page.length ? encodeCursor(keyOf(page[0]!)) : null,
        endCursor: page.length ? encodeCursor(keyOf(page[page.length - 1]!)) : null,
      },
    };
  });

  field('Query', 'order', (_src, args: Args) => {
    const order = state.orders.get(String(args.id));
    return order ? orderView(state, order) : null;
  });

  field('Query', 'productVariants', (_src, args: Args) => {
    pageSize(args);
    const sku = skuFilter(args.query);
    const rows = [...state.variants.values()].filter((v) => sku === null || sku.has(v.sku));
    return listConnection(rows.map(variantView), args);
  });

  field('Query', 'inventoryItems', (_src, args: Args) => {
    pageSize(args);
    const sku = skuFilter(args.query);
    const rows = [...state.variants.values()].filter((v) => sku === null || sku.has(v.sku));
    return listConnection(rows.map(itemView), args);
  });

  field('Query', 'inventoryItem', (_src, args: Args) => {
    const v = state.variantByInventoryItem(String(args.id));
    return v ? itemView(v) : null;
  });

  field('ProductVariant', 'inventoryItem', (src) => itemView((src as Json)._variant as SimVariant));
  field('InventoryItem', 'variant', (src) => variantView((src as Json)._variant as SimVariant));
  const levelView = (item: Json, locationId: string, available: number): Json => ({
    id: `gid://shopify/InventoryLevel/${locationId.split('/').pop()}?inventory_item_id=${String(item.id).split('/').pop()}`,
    item,
    location: { id: locationId },
    quantities: (a: Args) =>
      (a.names as string[]).filter((n) => n === 'available').map((name) => ({ name, quantity: available })),
  });
  field('InventoryItem', 'inventoryLevel', (src, args: Args) => {
    const item = src as Json;
    const available = state.level(String(item.id), String(args.locationId));
    return available === undefined ? null : levelView(item, String(args.locationId), available);
  });
  field('InventoryItem', 'inventoryLevels', (src, args: Args) => {
    const item = src as Json;
    const levels = [...state.locations].flatMap((locationId) => {
      const available = state.level(String(item.id), locationId);
      return available === undefined ? [] : [levelView(item, locationId, available)];
    });
    return listConnection(levels, args);
  });

  field('Order', 'lineItems', (src, args: Args) => listConnection((src as Json).lineItems as unknown[], args));
  field('Order', 'fulfillmentOrders', (src, args: Args) =>
    listConnection((src as Json).fulfillmentOrders as unknown[], args),
  );
  field('FulfillmentOrder', 'lineItems', (src, args: Args) =>
    listConnection((src as Json).lineItems as unknown[], args),
  );
  field('Order', 'refunds', (src, args: Args) =>
    ((src as Json).refunds as unknown[]).slice(0, (args.first as number) ?? MAX_PAGE),
  );
  field('Order', 'fulfillments', (src, args: Args) =>
    ((src as Json).fulfillments as unknown[]).slice(0, (args.first as number) ?? MAX_PAGE),
  );

  field('Mutation', 'inventorySetQuantities', (_src, args: Args, _ctx, info) => {
    const directive = getDirectiveValues(idempotentDirective, info.fieldNodes[0]!, info.variableValues);
    const key = directive?.key as string | undefined;
    // Mandatory since 2026-04 (shopify.dev changelog 2025-12-12); the real server may not enforce it yet.
    if (!key) {
      throw new GraphQLError('The @idempotent directive is required for this mutation.', {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    const input = args.input as {
      name: string;
      reason: string;
      referenceDocumentUri?: string | null;
      quantities: Json[];
    };
    const seen = idempotency.get(key);
    const fingerprint = JSON.stringify(input);
    if (seen) {
      if (seen.input !== fingerprint) {
        throw new GraphQLError('The idempotency key was already used with different input.', {
          extensions: { code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' },
        });
      }
      return seen.result;
    }
    const result = setQuantities(state, input);
    idempotency.set(key, { input: fingerprint, result });
    return result;
  });

  field('Mutation', 'fulfillmentCreate', (_src, args: Args) => {
    const input = args.fulfillment as {
      lineItemsByFulfillmentOrder: {
        fulfillmentOrderId: string;
        fulfillmentOrderLineItems?: { id: string; quantity: number }[] | null;
      }[];
      trackingInfo?: { number?: string | null; company?: string | null; url?: string | null } | null;
    };
    const userErrors: Json[] = [];
    const moves: { line: { remainingQuantity: number; id: string }; quantity: number }[] = [];
    let orderId: string | null = null;
    input.lineItemsByFulfillmentOrder.forEach((group, g) => {
      const fo = state.fulfillmentOrders.get(group.fulfillmentOrderId);
      if (!fo) {
        userErrors.push({
          field: ['fulfillment', 'lineItemsByFulfillmentOrder', String(g)],
          message: 'Fulfillment order does not exist.',
        });
        return;
      }
      if (orderId && orderId !== fo.orderId) {
        userErrors.push({ field: ['fulfillment'], message: 'All fulfillment orders must belong to the same order.' });
      }
      orderId = fo.orderId;
      const wanted =
        group.fulfillmentOrderLineItems ?? fo.lines.map((l) => ({ id: l.id, quantity: l.remainingQuantity }));
      for (const w of wanted) {
        const line = fo.lines.find((l) => l.id === w.id);
        if (!line)
          userErrors.push({ field: ['fulfillment'], message: `Fulfillment order line item ${w.id} does not exist.` });
        else if (w.quantity <= 0 || w.quantity > line.remainingQuantity)
          userErrors.push({
            field: ['fulfillment'],
            message: `Invalid quantity for ${w.id}: ${line.remainingQuantity} remaining.`,
          });
        else moves.push({ line, quantity: w.quantity });
      }
    });
    if (userErrors.length || !orderId) return { fulfillment: null, userErrors };
    for (const m of moves) m.line.remainingQuantity -= m.quantity;
    const t = input.trackingInfo;
    const fulfillment = {
      id: `gid://shopify/Fulfillment/${state.nextId()}`,
      orderId,
      status: 'SUCCESS' as const,
      createdAt: state.isoNow(),
      trackingInfo: t ? [{ number: t.number ?? null, company: t.company ?? null, url: t.url ?? null }] : [],
      lines: moves.map((m) => ({ fulfillmentOrderLineItemId: m.line.id, quantity: m.quantity })),
    };
    state.fulfillments.set(fulfillment.id, fulfillment);
    const order = state.orders.get(orderId)!;
    const remaining = state
      .fulfillmentOrdersOf(orderId)
      .flatMap((fo) => fo.lines)
      .reduce((s, l) => s + l.remainingQuantity, 0);
    order.fulfillment_status = remaining === 0 ? 'fulfilled' : 'partial';
    order.updated_at = state.isoNow();
    hooks.onOrderChanged(order, 'fulfillments/create');
    return { fulfillment, userErrors: [] };
  });
  field('Fulfillment', 'trackingInfo', (src, args: Args) =>
    ((src as Json).trackingInfo as unknown[]).slice(0, (args.first as number) ?? MAX_PAGE),
  );

  field('Mutation', 'orderCancel', (_src, args: Args) => {
    const order = state.orders.get(String(args.orderId));
    const job = { id: `gid://shopify/Job/${state.nextId()}`, done: true };
    if (!order) {
      return {
        job: null,
        orderCancelUserErrors: [{ code: 'NOT_FOUND', field: ['orderId'], message: 'Order does not exist.' }],
        userErrors: [],
      };
    }
    if ((args.refund === undefined || args.refund === null) && !args.refundMethod) {
      return {
        job: null,
        orderCancelUserErrors: [{ code: 'INVALID', field: ['refundMethod'], message: 'A refund method is required.' }],
        userErrors: [],
      };
    }
    if (order.cancelled_at) {
      return {
        job: null,
        orderCancelUserErrors: [{ code: 'INVALID', field: ['orderId'], message: 'Order has already been cancelled.' }],
        userErrors: [],
      };
    }
    order.cancelled_at = state.isoNow();
    order.cancel_reason = String(args.reason).toLowerCase();
    if (args.restock && hooks.commitsStock()) state.commitStock(order, 1);
    order.updated_at = state.isoNow();
    hooks.onOrderChanged(order, 'orders/cancelled');
    return { job, orderCancelUserErrors: [], userErrors: [] };
  });

  return schema;
}

/**
 * inventorySetQuantities: all or nothing. A stale `changeFromQuantity` on any quantity rejects
 * the whole call with one CHANGE_FROM_QUANTITY_STALE user error per stale entry.
 */
function setQuantities(
  state: SimState,
  input: { name: string; reason: string; referenceDocumentUri?: string | null; quantities: Json[] },
): Json {
  if (input.quantities.length > MAX_INPUT_ARRAY) {
    throw new GraphQLError(
      `The input array size of ${input.quantities.length} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`,
      { extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' } },
    );
  }
  if (input.name !== 'available' && input.name !== 'on_hand') {
    return {
      inventoryAdjustmentGroup: null,
      userErrors: [
        { code: 'INVALID_NAME', field: ['input', 'name'], message: `Unsupported quantity name ${input.name}.` },
      ],
    };
  }
  const userErrors: Json[] = [];
  input.quantities.forEach((q, i) => {
    const at = ['input', 'quantities', String(i)];
    if (!('changeFromQuantity' in q)) {
      userErrors.push({
        code: 'INVALID',
        field: [...at, 'changeFromQuantity'],
        message: 'changeFromQuantity is required (pass null to skip the compare).',
      });
      return;
    }
    const current = state.level(String(q.inventoryItemId), String(q.locationId));
    if (current === undefined) {
      userErrors.push({
        code: 'ITEM_NOT_STOCKED_AT_LOCATION',
        field: [...at, 'locationId'],
        message: 'The item is not stocked at the location.',
      });
      return;
    }
    if (typeof q.quantity !== 'number' || q.quantity < 0) {
      userErrors.push({
        code: 'INVALID_QUANTITY_NEGATIVE',
        field: [...at, 'quantity'],
        message: 'The quantity can not be negative.',
      });
      return;
    }
    if (q.changeFromQuantity !== null && q.changeFromQuantity !== current) {
      userErrors.push({
        code: 'CHANGE_FROM_QUANTITY_STALE',
        field: [...at, 'changeFromQuantity'],
        message: `The quantity couldn't be updated because changeFromQuantity (${String(q.changeFromQuantity)}) doesn't match the current quantity.`,
      });
    }
  });
  if (userErrors.length) return { inventoryAdjustmentGroup: null, userErrors };
  const changes = input.quantities.map((q) => {
    const item = String(q.inventoryItemId);
    const location = String(q.locationId);
    const before = state.level(item, location)!;
    state.setLevel(item, location, q.quantity as number);
    const variant = state.variantByInventoryItem(item);
    return {
      name: input.name,
      delta: (q.quantity as number) - before,
      quantityAfterChange: q.quantity,
      item: variant ? { id: item, sku: variant.sku, _variant: variant } : null,
      location: { id: location },
    };
  });
  return {
    inventoryAdjustmentGroup: {
      id: `gid://shopify/InventoryAdjustmentGroup/${state.nextId()}`,
      reason: input.reason,
      referenceDocumentUri: input.referenceDocumentUri ?? null,
      changes,
    },
    userErrors: [],
  };
}
