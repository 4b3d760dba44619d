import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, createLocations, stock } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type TestHub } from '../support/hub.js';

/** The catalog over HTTP: create, read, list, update, and the refusals. */
const PRODUCT_FIELDS =
  'id title description createdAt updatedAt variants { id sku title price { amount currency } weightGrams barcode requiresShipping }';
const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${PRODUCT_FIELDS} } }`;

interface ProductResult {
  id: string;
  title: string;
  description: string | null;
  updatedAt: string;
  variants: {
    sku: string;
    title: string;
    price: { amount: number; currency: string };
    weightGrams: number | null;
    barcode: string | null;
    requiresShipping: boolean;
  }[];
}

let t: TestHub;
let orm: Orm;
let opsKey: string;

async function createKey(role: string): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: role, role } },
    },
  );
  return res.body.data!.createApiKey.key;
}

async function create(input: Record<string, unknown>, key = opsKey) {
  return gql<{ createProduct: ProductResult }>(t.base, CREATE, { key, variables: { input } });
}

async function update(id: string, input: Record<string, unknown>, key = opsKey) {
  return gql<{ updateProduct: ProductResult }>(t.base, UPDATE, { key, variables: { id, input } });
}

async function variantCount(): Promise<number> {
  return (await sql<{ n: number }>(t.db.url, 'select count(*)::int as n from variant'))[0]!.n;
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  opsKey = await createKey('OPS');
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('createProduct', () => {
  it('creates a product with its variants; prices are integer minor units with their currency', async () => {
    const res = await create({
      title: '  Linen shirt ',
      description: 'Breathable.',
      variants: [
        { sku: 'SHIRT-S', priceAmount: 4900, currency: 'usd', weightGrams: 200, barcode: '0123456789012' },
        { sku: 'SHIRT-M', title: 'Linen shirt, M', priceAmount: 4900, currency: 'USD' },
        { sku: 'SHIRT-GIFT', priceAmount: 10_000_000_000, currency: 'USD', requiresShipping: false },
      ],
    });
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data!.createProduct;
    expect(p).toMatchObject({ title: 'Linen shirt', description: 'Breathable.' });
    expect(p.variants.map((v) => v.sku).sort()).toEqual(['SHIRT-GIFT', 'SHIRT-M', 'SHIRT-S']);
    const bySku = new Map(p.variants.map((v) => [v.sku, v]));
    expect(bySku.get('SHIRT-S')).toMatchObject({
      title: 'Linen shirt',
      price: { amount: 4900, currency: 'USD' },
      weightGrams: 200,
      barcode: '0123456789012',
      requiresShipping: true,
    });
    expect(bySku.get('SHIRT-M')!.title).toBe('Linen shirt, M');
    // Above GraphQL's 32-bit Int (the largest unit price, MAX_UNIT_PRICE): the SafeInt scalar carries it exactly.
    expect(bySku.get('SHIRT-GIFT')).toMatchObject({ price: { amount: 10_000_000_000 }, requiresShipping: false });
  });

  it('refuses a SKU that exists already with CONFLICT naming it, and creates nothing', async () => {
    const before = await variantCount();
    const res = await create({
      title: 'Copy',
      variants: [
        { sku: 'NEW-ONE', priceAmount: 1, currency: 'USD' },
        { sku: 'SHIRT-S', priceAmount: 1, currency: 'USD' },
      ],
    });
    expect(codesOf(res)).toEqual(['CONFLICT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ skus: ['SHIRT-S'] });
    expect(await variantCount()).toBe(before);
  });

  it.each([
    ['an empty title', { title: ' ', variants: [{ sku: 'X1', priceAmount: 1, currency: 'USD' }] }, 'title'],
    ['no variants', { title: 'Nothing', variants: [] }, 'variants'],
    [
      'a bad SKU',
      { title: 'Bad', variants: [{ sku: 'has space', priceAmount: 1, currency: 'USD' }] },
      'variants[0].sku',
    ],
    [
      'a negative price',
      { title: 'Bad', variants: [{ sku: 'NEG', priceAmount: -1, currency: 'USD' }] },
      'variants[0].priceAmount',
    ],
    [
      'a bad currency',
      { title: 'Bad', variants: [{ sku: 'CUR', priceAmount: 1, currency: 'dollars' }] },
      'variants[0].currency',
    ],
    [
      'a SKU twice',
      {
        title: 'Twice',
        variants: [
          { sku: 'TW', priceAmount: 1, currency: 'USD' },
          { sku: 'TW', priceAmount: 2, currency: 'USD' },
        ],
      },
      'variants[1].sku',
    ],
    [
      '251 variants',
      {
        title: 'Many',
        variants: Array.from({ length: 251 }, (_, i) => ({ sku: `MANY-${i}`, priceAmount: 1, currency: 'USD' })),
      },
      'variants',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_name, input, field) => {
    const before = await variantCount();
    const res = await create(input);
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field });
    expect(await variantCount()).toBe(before);
  });

  it('refuses a price beyond 2^53 at the GraphQL layer', async () => {
    const res = await create({ title: 'Huge', variants: [{ sku: 'HUGE', priceAmount: 2 ** 60, currency: 'USD' }] });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('lets only ops and admin create products', async () => {
    for (const role of ['SUPPORT', 'INTEGRATION', 'READ_ONLY']) {
      const res = await create(
        { title: 'Nope', variants: [{ sku: `NOPE-${role}`, priceAmount: 1, currency: 'USD' }] },
        await createKey(role),
      );
      expect(codesOf(res)).toEqual(['FORBIDDEN']);
    }
  });
});

describe('reading the catalog', () => {
  it('reads a product by id and a variant by SKU, with the variant’s product', async () => {
    const created = (await create({ title: 'Mug', variants: [{ sku: 'MUG-RED', priceAmount: 1200, currency: 'EUR' }] }))
      .body.data!.createProduct;
    const readOnly = await createKey('READ_ONLY');
    const p = await gql(t.base, 'query($id: ID!) { product(id: $id) { id title variants { sku } } }', {
      key: readOnly,
      variables: { id: created.id },
    });
    expect(p.body.data).toEqual({ product: { id: created.id, title: 'Mug', variants: [{ sku: 'MUG-RED' }] } });
    const v = await gql(t.base, '{ variant(sku: "MUG-RED") { sku price { amount currency } product { id title } } }', {
      key: readOnly,
    });
    expect(v.body.data).toEqual({
      variant: { sku: 'MUG-RED', price: { amount: 1200, currency: 'EUR' }, product: { id: created.id, title: 'Mug' } },
    });
    expect(codesOf(await gql(t.base, '{ variant(sku: "NO-SUCH") { sku } }', { key: readOnly }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await gql(t.base, '{ product(id: "nope") { id } }', { key: readOnly }))).toEqual(['NOT_FOUND']);
  });

  it('lists products newest first, page by page, with a title search', async () => {
    for (let i = 0; i < 5; i++)
      await create({ title: `Poster ${i}`, variants: [{ sku: `POSTER-${i}`, priceAmount: 100 + i, currency: 'USD' }] });
    const titles: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: {
        body: {
          data?: {
            products: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string };
              edges: { node: { title: string } }[];
            };
          } | null;
        };
      } = await gql(
        t.base,
        'query($after: String) { products(first: 2, search: "poster", after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }',
        { key: opsKey, variables: { after } },
      );
      const products = res.body.data!.products;
      expect(products.totalCount).toBe(5);
      titles.push(...products.edges.map((e) => e.node.title));
      if (!products.pageInfo.hasNextPage) break;
      after = products.pageInfo.endCursor;
    }
    expect(titles).toEqual(['Poster 4', 'Poster 3', 'Poster 2', 'Poster 1', 'Poster 0']);
  });
});

describe('updateProduct', () => {
  let productId: string;
  beforeAll(async () => {
    const res = await create({
      title: 'Hoodie',
      description: 'Warm',
      variants: [
        { sku: 'HOOD-S', priceAmount: 5000, currency: 'USD', weightGrams: 500, barcode: 'B-S' },
        { sku: 'HOOD-M', priceAmount: 5000, currency: 'USD' },
      ],
    });
    productId = res.body.data!.createProduct.id;
  });

  it('changes title and description, and variants by SKU, leaving omitted fields as they were', async () => {
    const res = await update(productId, {
      title: 'Hooded sweatshirt',
      variants: [{ sku: 'HOOD-S', priceAmount: 5500, title: 'Hoodie S', requiresShipping: false }],
    });
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data!.updateProduct;
    expect(p).toMatchObject({ title: 'Hooded sweatshirt', description: 'Warm' });
    const s = p.variants.find((v) => v.sku === 'HOOD-S')!;
    expect(s).toMatchObject({
      title: 'Hoodie S',
      price: { amount: 5500, currency: 'USD' },
      weightGrams: 500,
      barcode: 'B-S',
      requiresShipping: false,
    });
    expect(p.variants.find((v) => v.sku === 'HOOD-M')).toMatchObject({ price: { amount: 5000 } });
  });

  it('clears the description, weight and barcode with null', async () => {
    const res = await update(productId, {
      description: null,
      variants: [{ sku: 'HOOD-S', weightGrams: null, barcode: null }],
    });
    const p = res.body.data!.updateProduct;
    expect(p.description).toBeNull();
    expect(p.variants.find((v) => v.sku === 'HOOD-S')).toMatchObject({
      weightGrams: null,
      barcode: null,
      title: 'Hoodie S',
    });
  });

  it('adds variants, and moves updatedAt', async () => {
    const before = (
      await gql<{ product: { updatedAt: string } }>(t.base, 'query($id: ID!) { product(id: $id) { updatedAt } }', {
        key: opsKey,
        variables: { id: productId },
      })
    ).body.data!.product.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const res = await update(productId, { addVariants: [{ sku: 'HOOD-L', priceAmount: 5200, currency: 'USD' }] });
    const p = res.body.data!.updateProduct;
    expect(p.variants.map((v) => v.sku).sort()).toEqual(['HOOD-L', 'HOOD-M', 'HOOD-S']);
    expect(p.variants.find((v) => v.sku === 'HOOD-L')).toMatchObject({
      title: 'Hooded sweatshirt',
      requiresShipping: true,
    });
    expect(Date.parse(p.updatedAt)).toBeGreaterThan(Date.parse(before));
  });

  it('keeps the price an order was placed at when the variant’s price changes', async () => {
    const ctx = contextFor(orm.em);
    const { WH } = await createLocations(ctx, [{ code: 'WH' }]);
    await stock(ctx, 'HOOD-M', WH!, 10);
    const placed = await gql<{ placeOrder: { id: string } }>(
      t.base,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      {
        key: opsKey,
        variables: { input: { currency: 'USD', shippingAddress: ADDRESS, lines: [{ sku: 'HOOD-M', quantity: 1 }] } },
      },
    );
    const orderId = placed.body.data!.placeOrder.id;
    await update(productId, { variants: [{ sku: 'HOOD-M', priceAmount: 9999 }] });
    const order = await gql(
      t.base,
      'query($id: ID!) { order(id: $id) { lines { unitPrice { amount } } totals { total { amount } } } }',
      {
        key: opsKey,
        variables: { id: orderId },
      },
    );
    expect(order.body.data).toEqual({
      order: { lines: [{ unitPrice: { amount: 5000 } }], totals: { total: { amount: 5000 } } },
    });
  });

  it.each([
    ['a SKU of another product', { variants: [{ sku: 'SHIRT-S', priceAmount: 1 }] }, 'variants[0].sku'],
    ['an unknown SKU', { variants: [{ sku: 'NOPE', priceAmount: 1 }] }, 'variants[0].sku'],
    [
      'the same SKU twice',
      {
        variants: [
          { sku: 'HOOD-S', priceAmount: 1 },
          { sku: 'HOOD-S', priceAmount: 2 },
        ],
      },
      'variants[1].sku',
    ],
    ['a negative price', { variants: [{ sku: 'HOOD-S', priceAmount: -5 }] }, 'variants[0].priceAmount'],
    ['an empty title', { title: '' }, 'title'],
    [
      'a new variant with a bad currency',
      { addVariants: [{ sku: 'HOOD-XL', priceAmount: 1, currency: 'XX' }] },
      'addVariants[0].currency',
    ],
    [
      'a new variant with a SKU the product has',
      { addVariants: [{ sku: 'HOOD-S', priceAmount: 1, currency: 'USD' }] },
      'addVariants[0].sku',
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field, and changes nothing', async (_name, input, field) => {
    const before = await sql(t.db.url, 'select * from variant order by sku');
    const res = await update(productId, { ...input, description: 'should not stick' });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field });
    expect(await sql(t.db.url, 'select * from variant order by sku')).toEqual(before);
    expect(
      (
        await sql<{ description: string | null }>(t.db.url, 'select description from product where id = $1', [
          productId,
        ])
      )[0]!.description,
    ).toBeNull();
  });

  it('refuses a new variant whose SKU another product has with CONFLICT, and changes nothing', async () => {
    const res = await update(productId, {
      title: 'Renamed',
      addVariants: [{ sku: 'SHIRT-M', priceAmount: 1, currency: 'USD' }],
    });
    expect(codesOf(res)).toEqual(['CONFLICT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ skus: ['SHIRT-M'] });
    expect(
      (await sql<{ title: string }>(t.db.url, 'select title from product where id = $1', [productId]))[0]!.title,
    ).toBe('Hooded sweatshirt');
  });

  it('answers NOT_FOUND for an unknown product, and FORBIDDEN for support', async () => {
    expect(codesOf(await update('00000000-0000-4000-8000-000000000000', { title: 'x' }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await update(productId, { title: 'x' }, await createKey('SUPPORT')))).toEqual(['FORBIDDEN']);
  });
});
