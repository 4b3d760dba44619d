import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { placeOrder } from '../../src/domain/orders/place-order.service.js';
import { prepareOrderExport } from '../../src/domain/reports/order-export.service.js';
import { csvCell } from '../../src/http/csv.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { ADDRESS, orderDeps } from '../support/commerce.js';
import { ADMIN, contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { gql, startTestHub, type TestHub } from '../support/hub.js';
import { seedCatalog } from '../support/order-fixtures.js';

/** GET /exports/orders.csv: auth, filters, RFC 4180 quoting, formula neutralisation, scope, streaming. */
const HEADER =
  'number,channel,external_id,status,placed_at,customer_email,currency,subtotal,shipping,tax,discount,total,line_count';
const BULK = 5_000;

let t: TestHub;
let orm: Orm;
const keys: Record<string, string> = {};

/** A small RFC 4180 reader, so the test checks what a spreadsheet would read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

async function download(
  query: string,
  key?: string,
): Promise<{ status: number; text: string; chunks: number; type: string | null }> {
  const res = await fetch(`${t.base}/exports/orders.csv${query}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { status: res.status, text, chunks, type: res.headers.get('content-type') };
}

async function createKey(role: string, channelId: string | null = null): Promise<string> {
  const res = await gql<{ createApiKey: { key: string } }>(
    t.base,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    {
      key: t.adminKey,
      variables: { input: { name: `${role} ${channelId ?? ''}`, role, channelId } },
    },
  );
  return res.body.data!.createApiKey.key;
}

beforeAll(async () => {
  t = await startTestHub('api');
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 2 });
  await seedCatalog(contextFor(orm.em), t.db.url);
  for (const role of ['read_only', 'finance', 'support']) keys[role] = await createKey(role.toUpperCase());
  keys.scoped = await createKey('READ_ONLY', 'shop-a');
  const place = (channelId: string, externalId: string | null, email: string | null, name: string | null) =>
    placeOrder(contextFor(orm.em), orderDeps, {
      channelId,
      externalId,
      currency: 'USD',
      customer: email ? { email, name } : null,
      shippingAddress: ADDRESS,
      lines: [
        { sku: 'A1', quantity: 1 },
        { sku: 'B2', quantity: 2 },
      ],
    });
  await place('direct', null, 'plain@example.com', 'Plain Buyer');
  await place('shop-a', '=HYPERLINK("http://evil.example","click, me")', '=cmd|calc@example.com', 'Formula Person');
  await place('shop-a', '+1-555', '-minus@example.com', 'Another');
  await place('shop-a', '-42', null, null);
  // 5,000 more on shop-b, written directly (placing them one by one would take minutes).
  const [a1] = await sql<{ id: string }>(t.db.url, `select id from variant where sku = 'A1'`);
  await sql(
    t.db.url,
    `insert into "order" (id, number, channel_id, external_id, status, source, currency, subtotal_amount, total_amount, placed_at, created_at, updated_at)
     select gen_random_uuid(), 'bulk-' || n, 'shop-b', 'bulk-' || n, 'CONFIRMED', 'marketplace', 'USD', 1500, 1500,
            timestamptz '2026-05-01' + make_interval(secs => n), timestamptz '2026-05-01' + make_interval(secs => n / 3 + 0.000001 * (n % 2)), now()
       from generate_series(1, ${BULK}) n`,
  );
  await sql(
    t.db.url,
    `insert into order_line (id, order_id, position, variant_id, sku, title, quantity, unit_price_amount, line_total_amount)
     select gen_random_uuid(), o.id, 0, $1, 'A1', 'Product A1', 1, 1500, 1500 from "order" o where o.channel_id = 'shop-b'`,
    [a1!.id],
  );
});
afterAll(async () => {
  await orm?.close(true);
  await t?.stop();
});

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks (RFC 4180) and neutralises formulas with a leading quote', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('\t=x')).toBe("'\t=x");
    expect(csvCell('=HYPERLINK("u","a, b")')).toBe(`"'=HYPERLINK(""u"",""a, b"")"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });
});

describe('GET /exports/orders.csv', () => {
  it('refuses without a key or with a bad one (401) and for a role that may not export (403), as JSON', async () => {
    for (const [key, status, code] of [
      [undefined, 401, 'UNAUTHENTICATED'],
      ['syk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 401, 'UNAUTHENTICATED'],
      [keys.support, 403, 'FORBIDDEN'],
    ] as const) {
      const res = await fetch(`${t.base}/exports/orders.csv`, {
        headers: key ? { authorization: `Bearer ${key}` } : {},
      });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
        code,
      );
    }
  });

  it('writes the header, one row per order with minor units and line counts, and neutralised, quoted cells', async () => {
    const res = await download('?channelId=shop-a', keys.finance);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(res.text);
    expect(rows[0]!.join(',')).toBe(HEADER);
    expect(rows.slice(1).map((r) => r[2])).toEqual([
      `'=HYPERLINK("http://evil.example","click, me")`,
      "'+1-555",
      "'-42",
    ]);
    const formula = rows[1]!;
    expect(formula.slice(0, 2)).toEqual([`'=HYPERLINK("http://evil.example","click, me")`, 'shop-a']);
    expect(formula[5]).toBe("'=cmd|calc@example.com");
    expect(formula.slice(6)).toEqual(['USD', '9900', '0', '0', '0', '9900', '2']);
    expect(formula[4]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(rows[2]![5]).toBe("'-minus@example.com");
    expect(rows[3]![5]).toBe('');
    for (const row of rows) expect(row).toHaveLength(13);
  });

  it('applies the orders filters: status, channel, search, created range; and refuses bad ones with 400 naming the field', async () => {
    const count = async (query: string) => parseCsv((await download(query, keys.read_only)).text).length - 1;
    expect(await count('?search=plain')).toBe(1);
    expect(await count('?search=formula%20person')).toBe(1);
    expect(await count('?channelId=direct')).toBe(1);
    expect(await count('?status=CANCELLED')).toBe(0);
    expect(await count('?status=CONFIRMED,CANCELLED&channelId=shop-b')).toBe(BULK);
    expect(await count('?status=CONFIRMED&status=CANCELLED&channelId=shop-b')).toBe(BULK);
    expect(await count('?channelId=shop-b&createdFrom=2026-05-01T00:00:00Z&createdTo=2026-05-01T00:00:10Z')).toBe(29);
    for (const [query, field] of [
      ['?status=LOST', 'filter.statuses'],
      ['?createdFrom=yesterday', 'createdFrom'],
      ['?createdFrom=2026-05-02&createdTo=2026-05-01', 'filter.createdTo'],
      ['?channelId=a&channelId=b', 'channelId'],
    ] as const) {
      const res = await fetch(`${t.base}/exports/orders.csv${query}`, {
        headers: { authorization: `Bearer ${keys.read_only}` },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { extensions: { field: string } }[] }).errors[0]!.extensions.field).toBe(
        field,
      );
    }
  });

  it('gives a channel-scoped key its own channel only; asking for another is 403', async () => {
    const rows = parseCsv((await download('', keys.scoped)).text).slice(1);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['shop-a']));
    expect((await download('?channelId=direct', keys.scoped)).status).toBe(403);
  });

  it('streams 5,000 orders in batches of 1,000: every row once, in creation order, arriving in several chunks', async () => {
    const res = await download('?channelId=shop-b', t.adminKey);
    const rows = parseCsv(res.text).slice(1);
    expect(rows).toHaveLength(BULK);
    expect(new Set(rows.map((r) => r[0])).size).toBe(BULK);
    // created_at has microseconds (a JS Date drops them) and ties: keyset pages neither skip nor repeat a row.
    expect(res.chunks).toBeGreaterThanOrEqual(5);
  });

  it('reads at most one batch at a time (the domain generator yields bounded batches)', async () => {
    const sizes: number[] = [];
    for await (const batch of prepareOrderExport(contextFor(orm.em, ADMIN), { channelId: 'shop-b' }).batches())
      sizes.push(batch.length);
    expect(sizes).toEqual([1000, 1000, 1000, 1000, 1000]);
    const small: number[] = [];
    for await (const batch of prepareOrderExport(contextFor(orm.em, ADMIN), { channelId: 'shop-b' }, 1_500).batches())
      small.push(batch.length);
    expect(small).toEqual([1500, 1500, 1500, 500]);
  });
});
