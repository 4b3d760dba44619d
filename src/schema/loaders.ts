import DataLoader from 'dataloader';
import { productsByIds, variantsOfProducts } from '../domain/catalog/catalog-query.service.js';
import type { Product } from '../domain/catalog/product.entity.js';
import type { Variant } from '../domain/catalog/variant.entity.js';
import type { OperationContext } from '../domain/context.js';
import type { Customer } from '../domain/orders/customer.entity.js';
import { customersByIds } from '../domain/orders/customer-query.service.js';
import type { OrderEvent } from '../domain/orders/order-event.entity.js';
import type { OrderLine } from '../domain/orders/order-line.entity.js';
import { eventsOfOrders, linesOfOrders } from '../domain/orders/order-query.service.js';

/**
 * Per-request batching for nested fields: a page of 100 orders asking for lines, customer and
 * events costs one query per field, not one per order. Made fresh for every operation, so
 * nothing is cached across requests or callers.
 */
export interface Loaders {
  orderLines: DataLoader<string, OrderLine[]>;
  orderEvents: DataLoader<string, OrderEvent[]>;
  customers: DataLoader<string, Customer | null>;
  productVariants: DataLoader<string, Variant[]>;
  products: DataLoader<string, Product | null>;
}

/** The batch size stays below PostgreSQL's parameter limit and keeps each IN list modest. */
const MAX_BATCH_SIZE = 500;

function batched<V>(load: (ids: readonly string[]) => Promise<Map<string, V>>, missing: V): DataLoader<string, V> {
  return new DataLoader<string, V>(
    async (ids) => {
      const found = await load(ids);
      return ids.map((id) => found.get(id) ?? missing);
    },
    { maxBatchSize: MAX_BATCH_SIZE },
  );
}

/** `ctx` is called on first load, so building the loaders costs nothing until a field needs one. */
export function createLoaders(ctx: () => OperationContext): Loaders {
  return {
    orderLines: batched((ids) => linesOfOrders(ctx(), ids), []),
    orderEvents: batched((ids) => eventsOfOrders(ctx(), ids), []),
    customers: batched<Customer | null>((ids) => customersByIds(ctx(), ids), null),
    productVariants: batched((ids) => variantsOfProducts(ctx(), ids), []),
    products: batched<Product | null>((ids) => productsByIds(ctx(), ids), null),
  };
}
