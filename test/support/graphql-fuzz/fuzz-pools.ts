import { getNamedType, isListType, isNonNullType, isObjectType, type GraphQLOutputType } from 'graphql';

const POOL_SIZE = 300;

/**
 * Real ids, SKUs, order numbers, channels and cursors seen in responses. Valid-looking
 * arguments are drawn from here, so operations reach the code behind the lookups instead of
 * stopping at NOT_FOUND.
 */
export class FuzzPools {
  private readonly pools = new Map<string, string[]>();
  private readonly added = new Map<string, number>();

  constructor() {
    this.add('channel', 'direct');
  }

  get(pool: string): readonly string[] {
    return this.pools.get(pool) ?? [];
  }

  /** Adds a value; a full pool overwrites its oldest entries, so it keeps following the data. */
  add(pool: string, value: string): void {
    const values = this.pools.get(pool) ?? [];
    if (values.includes(value)) return;
    const n = this.added.get(pool) ?? 0;
    if (values.length < POOL_SIZE) values.push(value);
    else values[n % POOL_SIZE] = value;
    this.pools.set(pool, values);
    this.added.set(pool, n + 1);
  }

  /** Walks a response alongside its schema type and keeps every id (by type), SKU, number and cursor. */
  harvest(value: unknown, type: GraphQLOutputType): void {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return this.harvest(value, type.ofType);
    if (isListType(type)) {
      if (Array.isArray(value)) for (const item of value) this.harvest(item, type.ofType);
      return;
    }
    const named = getNamedType(type);
    if (!isObjectType(named) || typeof value !== 'object') return;
    const fields = named.getFields();
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string') {
        if (key === 'id') this.add(named.name, v);
        else if (key === 'sku') this.add('sku', v);
        else if (key === 'number' && named.name === 'Order') this.add('orderNumber', v);
        else if (key === 'endCursor' || key === 'cursor') this.add('cursor', v);
        else if (key === 'channelId') this.add('channel', v);
      }
      const field = fields[key];
      if (field) this.harvest(v, field.type);
    }
  }
}
