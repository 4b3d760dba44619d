import {
  ReferenceKind,
  type EntityData,
  type EntityManager,
  type EntityMetadata,
  type Platform,
  type Type,
} from '@mikro-orm/core';
import { Order } from './order.entity.js';

/**
 * An order's stored fields as plain data: the entity's properties, with each many-to-one
 * relation (channel, customer) reduced to a reference holding only its id. Lists read these
 * instead of entities (no hydration, identity map or change tracking); an `Order` entity is one too,
 * so the GraphQL node is built from either alike.
 */
export type OrderRecord = Omit<Order, 'channel' | 'customer'> & {
  channel: { id: string };
  customer?: { id: string } | null;
};

interface RowMapping {
  /** Properties whose database value the ORM converts on load (bigint amounts to numbers, JSON, …). */
  converted: [name: string, type: Type<unknown>][];
  /** Many-to-one relations, with the primary key property of their target. */
  references: [name: string, primaryKey: string][];
}

const mappings = new WeakMap<EntityMetadata, RowMapping>();

function rowMapping(meta: EntityMetadata): RowMapping {
  let mapping = mappings.get(meta);
  if (!mapping) {
    mapping = { converted: [], references: [] };
    for (const prop of meta.props) {
      if (prop.kind === ReferenceKind.SCALAR && prop.customType) mapping.converted.push([prop.name, prop.customType]);
      else if (prop.kind === ReferenceKind.MANY_TO_ONE && prop.targetMeta?.primaryKeys.length === 1)
        mapping.references.push([prop.name, prop.targetMeta.primaryKeys[0]!]);
    }
    mappings.set(meta, mapping);
  }
  return mapping;
}

/**
 * Orders as records from rows the query builder returned with `execute('all', true)` (column
 * names already mapped to properties and dates parsed by the driver): custom types are converted
 * as the entity hydrator converts them, and relations become `{ id }` references.
 */
export function orderRecordsOf(em: EntityManager, rows: readonly EntityData<Order>[]): OrderRecord[] {
  const { converted, references } = rowMapping(em.getMetadata().get(Order) as EntityMetadata);
  const platform: Platform = em.getPlatform();
  return rows.map((row) => {
    // Each row is a fresh object of the driver's, so it is converted in place.
    const record = row as Record<string, unknown>;
    for (const [name, type] of converted) {
      const value = record[name];
      if (value != null) record[name] = type.convertToJSValue(value, platform);
    }
    for (const [name, primaryKey] of references) {
      const id = record[name];
      record[name] = id == null ? null : { [primaryKey]: id };
    }
    return record as unknown as OrderRecord;
  });
}
