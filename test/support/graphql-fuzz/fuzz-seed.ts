import { isEnumType, type GraphQLSchema } from 'graphql';
import { FuzzPools } from './fuzz-pools.js';
import type { FuzzCaller } from './fuzz-runner.js';

const ADDRESS = { line1: '1 Fuzz Street', city: 'Springfield', postalCode: '10001', countryCode: 'US' };
const SKUS = ['FZ-1', 'FZ-2', 'FZ-3'];

/** What the fuzzer starts from: real data to point valid-looking arguments at, and its callers. */
export interface FuzzWorld {
  pools: FuzzPools;
  admin: FuzzCaller;
  others: FuzzCaller[];
}

/**
 * Builds a little world through the public API, as a client would: two locations, a product
 * with three SKUs in stock, orders at several stages (allocated, shipped, with a return), and a
 * key for every role. Every response feeds the pools; a step the API refuses stops the run, as
 * the fuzzer would otherwise only test NOT_FOUND paths.
 */
export async function seedFuzzWorld(base: string, adminKey: string, schema: GraphQLSchema): Promise<FuzzWorld> {
  const pools = new FuzzPools();
  const admin: FuzzCaller = { name: 'admin', authorization: `Bearer ${adminKey}` };
  const call = async (field: string, query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: admin.authorization! },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`seeding ${field} failed: ${JSON.stringify(body.errors)}`);
    const rootType = (schema.getMutationType()?.getFields()[field] ?? schema.getQueryType()?.getFields()[field])!.type;
    pools.harvest(body.data[field], rootType);
    return body.data[field] as Record<string, unknown>;
  };

  const locations: string[] = [];
  for (const code of ['FZA', 'FZB']) {
    const location = await call(
      'createLocation',
      'mutation($input: CreateLocationInput!) { createLocation(input: $input) { id code } }',
      { input: { code, name: `Fuzz ${code}`, address: ADDRESS } },
    );
    locations.push(location.id as string);
  }
  await call(
    'createProduct',
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id variants { id sku } } }',
    {
      input: {
        title: 'Fuzz product',
        variants: SKUS.map((sku) => ({ sku, currency: 'USD', priceAmount: 1_000 })),
      },
    },
  );
  for (const locationId of locations)
    for (const sku of SKUS)
      await call(
        'receiveStock',
        'mutation($l: ID!, $s: String!) { receiveStock(locationId: $l, sku: $s, quantity: 1000) { sku } }',
        { l: locationId, s: sku },
      );

  const placeQuery = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
    id number status lines { id sku } customer { id } } }`;
  const orders: { id: string; lines: { id: string }[] }[] = [];
  for (let i = 0; i < 6; i++) {
    const order = await call('placeOrder', placeQuery, {
      input: {
        currency: 'USD',
        shippingAddress: ADDRESS,
        customer: { email: `fuzz${i}@example.com`, name: `Fuzz Customer ${i}` },
        lines: SKUS.slice(0, 1 + (i % 3)).map((sku) => ({ sku, quantity: 2 })),
      },
    });
    orders.push(order as unknown as { id: string; lines: { id: string }[] });
  }
  // One order shipped with a return requested, so shipment and return operations have targets.
  const shipped = orders[0]!;
  const created = await call(
    'createShipment',
    'mutation($o: ID!) { createShipment(orderId: $o) { shipments { id } } }',
    { o: shipped.id },
  );
  for (const shipment of created.shipments as { id: string }[])
    await call(
      'markShipmentShipped',
      'mutation($s: ID!, $i: MarkShipmentShippedInput!) { markShipmentShipped(shipmentId: $s, input: $i) { shipment { id } } }',
      { s: shipment.id, i: { carrier: 'UPS', trackingNumber: '1Z999' } },
    );
  await call(
    'requestReturn',
    'mutation($o: ID!, $i: RequestReturnInput!) { requestReturn(orderId: $o, input: $i) { return { id } } }',
    { o: shipped.id, i: { lines: [{ lineId: shipped.lines[0]!.id, quantity: 1 }] } },
  );

  const others: FuzzCaller[] = [
    { name: 'no key' },
    { name: 'empty Authorization', authorization: '' },
    { name: 'Bearer without key', authorization: 'Bearer ' },
    { name: 'malformed key', authorization: 'Bearer syk_\u00ff\t_zz' },
    { name: 'unknown key', authorization: 'Bearer syk_deadbeef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  ];
  const roleType = schema.getType('Role');
  const roles = isEnumType(roleType) ? roleType.getValues().map((v) => v.name) : [];
  for (const role of roles) {
    if (role.toLowerCase() === 'admin') continue;
    const key = await call(
      'createApiKey',
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
      { input: { name: `fuzz ${role}`, role } },
    );
    others.push({ name: role, authorization: `Bearer ${key.key as string}` });
  }
  const scoped = await call(
    'createApiKey',
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }',
    { input: { name: 'fuzz channel-scoped', role: roles.find((r) => r.toLowerCase() === 'ops'), channelId: 'direct' } },
  );
  others.push({ name: 'ops on channel direct', authorization: `Bearer ${scoped.key as string}` });
  return { pools, admin, others };
}
