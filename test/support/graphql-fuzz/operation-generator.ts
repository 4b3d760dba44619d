import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { FuzzPools } from './fuzz-pools.js';
import { EnumName, hostileValue, toGraphQLLiteral, type ValueKind } from './fuzz-values.js';
import type { Random } from './random.js';

/** One generated request, with what is needed to count, report and replay it. */
export interface FuzzOperation {
  index: number;
  operationType: 'query' | 'mutation';
  field: string;
  query: string;
  /** Absent when the arguments are inlined as literals. */
  variables?: Record<string, unknown>;
  /** Where a hostile value went and which class it was, e.g. `input.lines[0].sku: NUL character`. */
  hostile: string[];
  /** The root field's type, to harvest ids from the response. */
  returnType: GraphQLOutputType;
}

/** Arguments and input fields that name another entity, and that entity's GraphQL type. */
const ID_POOLS: Record<string, string> = {
  orderId: 'Order',
  lineId: 'OrderLine',
  removeLineIds: 'OrderLine',
  returnId: 'Return',
  shipmentId: 'Shipment',
  customerId: 'Customer',
  locationId: 'Location',
  fromLocationId: 'Location',
  toLocationId: 'Location',
};

/** Always selected, so a connection's nodes and cursors are read. */
const CONNECTION_PARTS = new Set(['edges', 'node', 'pageInfo']);

const WORDS = ['fuzz', 'Seed', 'SY-1', 'a', 'ops', 'widget', 'Müller', '東京'];

/** How hostile one operation is: the chance that any one argument value is replaced. */
const HOSTILITY = [0, 0, 0, 0.1, 0.3, 0.7];

interface Generation {
  rng: Random;
  hostileRate: number;
  hostile: string[];
  /** The root field, whose return type says what a bare `id` argument refers to. */
  root: GraphQLField<unknown, unknown>;
}

/**
 * Generates operations for every Query and Mutation field of a schema: arguments that look
 * valid (real ids from the pools, sane numbers) or hostile (control characters, huge numbers,
 * deep nesting, wrong types, null for non-null), inlined or as variables, with a shallow
 * selection of the result so responses are read and checked too.
 */
export class OperationGenerator {
  private readonly fields: { operationType: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[];

  constructor(
    schema: GraphQLSchema,
    private readonly pools: FuzzPools,
  ) {
    const query = Object.values(schema.getQueryType()?.getFields() ?? {});
    const mutation = Object.values(schema.getMutationType()?.getFields() ?? {});
    this.fields = [
      ...query.map((field) => ({ operationType: 'query' as const, field })),
      ...mutation.map((field) => ({ operationType: 'mutation' as const, field })),
    ];
  }

  /** Every field the generator covers, as `query.name` / `mutation.name`. */
  get fieldNames(): string[] {
    return this.fields.map((f) => `${f.operationType}.${f.field.name}`);
  }

  next(rng: Random, index: number): FuzzOperation {
    const { operationType, field } = rng.pick(this.fields);
    const gen: Generation = { rng, hostileRate: rng.pick(HOSTILITY), hostile: [], root: field };
    const asVariables = rng.chance(0.5);
    const variables: Record<string, unknown> = {};
    const declarations: string[] = [];
    const args: string[] = [];
    for (const arg of field.args) {
      const value = this.argumentValue(gen, arg);
      if (value === MISSING) continue;
      if (asVariables) {
        const name = `v_${arg.name}`;
        declarations.push(`$${name}: ${String(arg.type)}`);
        args.push(`${arg.name}: $${name}`);
        if (value !== UNSENT) variables[name] = value;
      } else if (value !== UNSENT) {
        args.push(`${arg.name}: ${toGraphQLLiteral(value)}`);
      }
    }
    const head = `${operationType} Fuzz${declarations.length ? `(${declarations.join(', ')})` : ''}`;
    const call = `${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
    const query = `${head} { ${call}${this.selection(rng, field.type, 0)} }`;
    return {
      index,
      operationType,
      field: field.name,
      query,
      ...(asVariables ? { variables } : {}),
      hostile: gen.hostile,
      returnType: field.type,
    };
  }

  private argumentValue(gen: Generation, arg: GraphQLArgument): unknown {
    const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
    if (gen.rng.chance(gen.hostileRate * 0.1)) {
      if (required) gen.hostile.push(`${arg.name}: required argument missing`);
      return required ? UNSENT : MISSING;
    }
    if (!required && gen.rng.chance(0.4)) return MISSING;
    return this.value(gen, arg.type, arg.name, arg.name);
  }

  private value(gen: Generation, type: GraphQLInputType, name: string, path: string): unknown {
    const { rng } = gen;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (rng.chance(gen.hostileRate)) {
      const named = getNamedType(inner);
      const h = hostileValue(kindOf(inner), rng, isEnumType(named) ? named.getValues().map((v) => v.name) : []);
      gen.hostile.push(`${path}: ${h.label}`);
      return h.value;
    }
    if (isListType(inner)) {
      const n = rng.int(1, 3);
      return Array.from({ length: n }, (_, i) => this.value(gen, inner.ofType, name, `${path}[${i}]`));
    }
    if (isInputObjectType(inner)) {
      const out: Record<string, unknown> = {};
      for (const f of Object.values(inner.getFields())) {
        const required = isNonNullType(f.type) && f.defaultValue === undefined;
        if (!required && rng.chance(0.5)) continue;
        out[f.name] = this.value(gen, f.type, f.name, `${path}.${f.name}`);
      }
      return out;
    }
    if (isEnumType(inner)) return new EnumName(rng.pick(inner.getValues()).name);
    return this.plausibleScalar(gen, inner.name, name);
  }

  /** A valid-looking scalar: chosen by the argument's name first, its type second. */
  private plausibleScalar(gen: Generation, scalar: string, name: string): unknown {
    const { rng } = gen;
    const poolType = name === 'id' ? getNamedType(gen.root.type).name : ID_POOLS[name];
    if (poolType) return this.fromPool(rng, poolType, () => unknownUuid(rng));
    switch (scalar) {
      case 'Int':
      case 'SafeInt':
        return plausibleNumber(rng, name);
      case 'Float':
        return name === 'longitude' ? rng.int(-180, 180) + 0.25 : rng.int(-90, 90) + 0.5;
      case 'Boolean':
        return rng.chance(0.5);
      case 'DateTimeISO':
        return new Date(Date.UTC(2026, 0, 1) + rng.int(-400, 400) * 86_400_000).toISOString();
      case 'JSONObject':
        return {};
      default:
        return this.plausibleString(rng, name);
    }
  }

  private plausibleString(rng: Random, name: string): string {
    switch (name) {
      case 'sku':
        return rng.chance(0.8) ? this.fromPool(rng, 'sku', () => 'FZ-1') : `FZ-${rng.int(1, 1_000_000)}`;
      case 'channelId':
        return this.fromPool(rng, 'channel', () => 'direct');
      case 'number':
        return this.fromPool(rng, 'orderNumber', () => 'SY-10001');
      case 'after':
        return this.fromPool(rng, 'cursor', () => 'MA==');
      case 'currency':
        return rng.chance(0.9) ? 'USD' : 'EUR';
      case 'countryCode':
        return rng.pick(['US', 'DE', 'GB']);
      case 'email':
        return `fuzz${rng.int(1, 50)}@example.com`;
      case 'code':
        return `FZ${rng.int(1, 99_999)}`;
      case 'phone':
        return '+15551234567';
      case 'trackingUrl':
        return 'https://example.com/track/1';
      case 'externalId':
      case 'idempotencyKey':
        return `${name}-${rng.int(1, 1_000_000)}`;
      default:
        return `${rng.pick(WORDS)} ${rng.int(1, 999)}`;
    }
  }

  private fromPool(rng: Random, pool: string, fallback: () => string): string {
    const values = this.pools.get(pool);
    return values.length > 0 && rng.chance(0.9) ? rng.pick(values) : fallback();
  }

  /**
   * A shallow selection: every scalar field without required arguments, plus a few object
   * fields two levels down (connections keep edges/node/pageInfo), so responses are read
   * without running into the depth or cost limits on every request.
   */
  private selection(rng: Random, type: GraphQLOutputType, depth: number): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    if (!isObjectType(named)) return ' { __typename }';
    const picked: string[] = [];
    const objects: string[] = [];
    for (const f of Object.values(named.getFields())) {
      if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
      if (isLeafType(getNamedType(f.type))) picked.push(f.name);
      else if (depth < 2) objects.push(f.name);
    }
    const chosen = objects.filter((n) => CONNECTION_PARTS.has(n) || rng.chance(depth === 0 ? 0.5 : 0.25));
    for (const name of chosen) picked.push(`${name}${this.selection(rng, named.getFields()[name]!.type, depth + 1)}`);
    return ` { ${picked.length ? picked.join(' ') : '__typename'} }`;
  }
}

/** An argument left out although it is required (a hostile case) versus a nullable one left out. */
const UNSENT = Symbol('unsent');
const MISSING = Symbol('missing');

/** A well-formed id that names nothing, from the seeded generator so runs replay. */
function unknownUuid(rng: Random): string {
  const hex = (n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

function kindOf(type: GraphQLInputType): ValueKind {
  if (isNonNullType(type)) return kindOf(type.ofType);
  if (isListType(type)) return 'list';
  if (isInputObjectType(type)) return 'object';
  if (isEnumType(type)) return 'enum';
  switch (type.name) {
    case 'Int':
    case 'SafeInt':
      return 'int';
    case 'Float':
      return 'float';
    case 'Boolean':
      return 'boolean';
    case 'ID':
      return 'id';
    case 'DateTimeISO':
      return 'datetime';
    case 'JSONObject':
      return 'json';
    default:
      return 'string';
  }
}

function plausibleNumber(rng: Random, name: string): number {
  switch (name) {
    case 'first':
      return rng.int(1, 20);
    case 'quantity':
      return rng.int(1, 3);
    case 'delta':
      return rng.pick([-2, -1, 1, 2, 5]);
    case 'leadTimeDays':
      return rng.int(1, 30);
    case 'expectedVersion':
      return rng.int(0, 6);
    case 'delayMs':
      return rng.int(0, 20);
    case 'priceAmount':
      return rng.int(100, 5_000);
    case 'expectedTotalAmount':
      return rng.int(0, 20_000);
    case 'weightGrams':
      return rng.int(0, 5_000);
    default:
      return rng.int(0, 500);
  }
}
