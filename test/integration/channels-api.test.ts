import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { loadChannelCredentials } from '../../src/domain/channels/channel-secrets.js';
import {
  skuForExternalVariant,
  skusForExternalVariants,
  upsertAutoListings,
} from '../../src/domain/channels/channel-listing.service.js';
import { keyIdOf } from '../../src/domain/channels/credentials-cipher.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createSku } from '../support/commerce.js';
import { contextFor } from '../support/context.js';
import { sql } from '../support/database.js';
import { codesOf, gql, startTestHub, type GraphQLResponse, type TestHub } from '../support/hub.js';

/** The channels API over HTTP, as an admin, an ops key and channel-scoped keys call it. */
let t: TestHub;
let orm: Orm;
const key = randomBytes(32);
const keys: Record<string, string> = {};

const FIELDS =
  'id kind name enabled stockBuffer backorderPolicy endpoint hasCredentials health { lastSyncAt lastError lastErrorAt syncLagSeconds disconnectedAt }';
const CONNECT = `mutation($input: ConnectChannelInput!) { connectChannel(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateChannelInput!) { updateChannel(id: $id, input: $input) { ${FIELDS} } }`;
const creds = (token = 'shpat_test', shopDomain = 'demo-store.myshopify.com') => ({
  shopDomain,
  accessToken: token,
  webhookSecret: 'whsec_test',
});

async function call<T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  apiKey = t.adminKey,
): Promise<GraphQLResponse<T>> {
  return gql<T>(t.base, query, { key: apiKey, variables });
}

async function ok<T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
  apiKey = t.adminKey,
) {
  const res = await call<T>(query, variables, apiKey);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

async function createKey(name: string, role: string, channelId: string | null = null): Promise<string> {
  const data = await ok<{ createApiKey: { key: string } }>(
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }',
    { input: { name, role, channelId } },
  );
  return data.createApiKey.key;
}

type ChannelData = Record<string, unknown> & { id: string; health: Record<string, unknown> };

async function connect(input: Record<string, unknown>): Promise<ChannelData> {
  return (await ok<{ connectChannel: ChannelData }>(CONNECT, { input })).connectChannel;
}

async function auditActions(subjectId: string): Promise<string[]> {
  const rows = await sql<{ action: string }>(
    t.db.url,
    "select action from audit_log where subject_type = 'channel' and subject_id = $1 order by id",
    [subjectId],
  );
  return rows.map((r) => r.action);
}

async function changedEvents(channelId: string): Promise<number> {
  const rows = await sql<{ n: string }>(
    t.db.url,
    "select count(*) as n from outbox_event where topic = 'channel.changed' and aggregate_id = $1 and payload->>'channelId' = $1",
    [channelId],
  );
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  t = await startTestHub('api', { SWITCHYARD_ENCRYPTION_KEY: key.toString('base64') });
  orm = await createOrm({ kind: 'postgres', url: t.db.url, poolMax: 4 });
  keys.ops = await createKey('ops', 'OPS');
  await createSku(contextFor(orm.em), 'CH-1');
  await createSku(contextFor(orm.em), 'CH-2');
  await createSku(contextFor(orm.em), 'CH-3');
});
afterAll(async () => {
  await orm.close(true);
  await t.stop();
});

describe('connectChannel', () => {
  it('connects a Shopify store with a slug id from its name and stores only ciphertext', async () => {
    const channel = await connect({ kind: 'SHOPIFY', name: 'Shopify EU', credentials: creds('shpat_one') });
    expect(channel).toMatchObject({
      id: 'shopify-eu',
      kind: 'SHOPIFY',
      name: 'Shopify EU',
      enabled: true,
      stockBuffer: 0,
      backorderPolicy: 'BACKORDER',
      endpoint: null,
      hasCredentials: true,
      health: { lastSyncAt: null, syncLagSeconds: null, disconnectedAt: null },
    });
    const [row] = await sql<{ credentials_ciphertext: string }>(
      t.db.url,
      'select credentials_ciphertext from channel where id = $1',
      ['shopify-eu'],
    );
    expect(row!.credentials_ciphertext.startsWith(`v1:${keyIdOf(key)}:`)).toBe(true);
    expect(row!.credentials_ciphertext).not.toContain('shpat_one');
    expect(await loadChannelCredentials(orm.em.fork(), key, 'shopify-eu')).toEqual({
      shopDomain: 'demo-store.myshopify.com',
      accessToken: 'shpat_one',
      webhookSecret: 'whsec_test',
    });
    expect(await auditActions('shopify-eu')).toEqual(['channel.connect']);
    expect(await changedEvents('shopify-eu')).toBe(1);
  });

  it('derives a free id when the slug is taken, and refuses a given id that is taken (CONFLICT)', async () => {
    const second = await connect({ kind: 'SHOPIFY', name: 'Shopify EU', credentials: creds() });
    expect(second.id).toBe('shopify-eu-2');
    const taken = await call(CONNECT, {
      input: { kind: 'SHOPIFY', id: 'shopify-eu', name: 'x', credentials: creds() },
    });
    expect(codesOf(taken)).toEqual(['CONFLICT']);
  });

  it('gives concurrent connects of one name distinct ids, none lost', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call<{ connectChannel: { id: string } }>(CONNECT, {
          input: { kind: 'SHOPIFY', name: 'Race Shop', credentials: creds() },
        }),
      ),
    );
    const ids = results.map((r) => {
      expect(r.body.errors).toBeUndefined();
      return r.body.data!.connectChannel.id;
    });
    expect(new Set(ids).size).toBe(6);
    expect(ids.every((id) => /^race-shop(-\d+)?$/.test(id))).toBe(true);
  });

  it.each([
    // AMAZON takes a Selling Partner authorisation: Shopify's fields are not one.
    [{ kind: 'AMAZON' }, 'credentials.sellerId', 'must not be empty'],
    // EBAY takes an eBay grant: Shopify's fields are not one.
    [{ kind: 'EBAY' }, 'credentials.verificationToken', 'must not be empty'],
    [{ kind: 'DIRECT' }, 'kind', 'not connected'],
    [{ id: 'bad id!' }, 'id', 'letters, digits'],
    [{ name: '  ' }, 'name', '1 to 200'],
    [{ stockBuffer: -1 }, 'stockBuffer', 'whole number'],
    [{ credentials: creds('shpat_x', 'evil.example.com') }, 'credentials.shopDomain', 'myshopify.com'],
    [{ credentials: { ...creds(), accessToken: ' ' } }, 'credentials.accessToken', 'must not be empty'],
    [{ credentials: { ...creds(), webhookSecret: '' } }, 'credentials.webhookSecret', 'must not be empty'],
    [{ endpoint: 'ftp://sim.local' }, 'endpoint', 'http(s)'],
    [{ endpoint: 'not a url' }, 'endpoint', 'absolute URL'],
    [{ endpoint: 'http://user:pw@sim.local' }, 'endpoint', 'user name'],
  ])('refuses %p: BAD_USER_INPUT on %s', async (patch, field, message) => {
    const res = await call(CONNECT, { input: { kind: 'SHOPIFY', name: 'Bad', credentials: creds(), ...patch } });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field });
    expect(res.body.errors![0]!.message).toContain(message);
  });

  it('accepts any shop host with an endpoint override (a simulator), shown to admins only', async () => {
    const channel = await connect({
      kind: 'SHOPIFY',
      id: 'sim',
      name: 'Simulator',
      endpoint: 'http://127.0.0.1:9999/',
      credentials: creds('shpat_sim', 'localhost'),
      stockBuffer: 2,
      backorderPolicy: 'REJECT',
    });
    expect(channel).toMatchObject({
      id: 'sim',
      endpoint: 'http://127.0.0.1:9999',
      stockBuffer: 2,
      backorderPolicy: 'REJECT',
    });
    const asOps = await ok<{ channel: ChannelData }>(`{ channel(id: "sim") { ${FIELDS} } }`, {}, keys.ops);
    expect(asOps.channel.endpoint).toBeNull();
    expect(asOps.channel.hasCredentials).toBe(true);
  });

  it('never lets a non-admin connect', async () => {
    const res = await call(CONNECT, { input: { kind: 'SHOPIFY', name: 'Ops shop', credentials: creds() } }, keys.ops);
    expect(codesOf(res)).toEqual(['FORBIDDEN']);
  });
});

describe('updateChannel and disconnectChannel', () => {
  it('changes fields, audits field names and records channel.changed', async () => {
    await connect({ kind: 'SHOPIFY', id: 'upd', name: 'Upd', credentials: creds('shpat_old') });
    const updated = await ok<{ updateChannel: ChannelData }>(UPDATE, {
      id: 'upd',
      input: { name: 'Updated', stockBuffer: 5, backorderPolicy: 'PARTIAL', credentials: creds('shpat_new') },
    });
    expect(updated.updateChannel).toMatchObject({ name: 'Updated', stockBuffer: 5, backorderPolicy: 'PARTIAL' });
    expect(await loadChannelCredentials(orm.em.fork(), key, 'upd')).toMatchObject({ accessToken: 'shpat_new' });
    expect(await auditActions('upd')).toEqual(['channel.connect', 'channel.update']);
    const [audit] = await sql<{ data: { changed: string[] } }>(
      t.db.url,
      "select data from audit_log where subject_id = 'upd' and action = 'channel.update'",
    );
    expect(audit!.data.changed.sort()).toEqual(['backorderPolicy', 'credentials', 'name', 'stockBuffer']);
    expect(await changedEvents('upd')).toBe(2);
  });

  it('refuses clearing the endpoint while the stored shop domain is not a myshopify.com one', async () => {
    await connect({
      kind: 'SHOPIFY',
      id: 'sim2',
      name: 'Sim 2',
      endpoint: 'http://127.0.0.1:1',
      credentials: creds('t', 'localhost'),
    });
    const res = await call(UPDATE, { id: 'sim2', input: { endpoint: null } });
    expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ field: 'credentials.shopDomain' });
    const fine = await ok<{ updateChannel: ChannelData }>(UPDATE, {
      id: 'sim2',
      input: { endpoint: null, credentials: creds('t2') },
    });
    expect(fine.updateChannel.endpoint).toBeNull();
  });

  it('disconnects (keeping orders and credentials) and reconnects with enabled: true', async () => {
    await connect({ kind: 'SHOPIFY', id: 'dc', name: 'Dc', credentials: creds() });
    const before = new Date();
    const off = await ok<{ disconnectChannel: ChannelData }>(`mutation { disconnectChannel(id: "dc") { ${FIELDS} } }`);
    expect(off.disconnectChannel.enabled).toBe(false);
    const at = new Date(off.disconnectChannel.health.disconnectedAt as string);
    expect(at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(off.disconnectChannel.hasCredentials).toBe(true);
    // Twice: the first time stays, nothing more audited.
    const again = await ok<{ disconnectChannel: ChannelData }>(
      `mutation { disconnectChannel(id: "dc") { ${FIELDS} } }`,
    );
    expect(again.disconnectChannel.health.disconnectedAt).toBe(off.disconnectChannel.health.disconnectedAt);
    const sync = await call('mutation { syncChannel(id: "dc") { jobId } }');
    expect(codesOf(sync)).toEqual(['CONFLICT']);
    const on = await ok<{ updateChannel: ChannelData }>(UPDATE, { id: 'dc', input: { enabled: true } });
    expect(on.updateChannel).toMatchObject({ enabled: true, health: { disconnectedAt: null } });
    expect(await auditActions('dc')).toEqual(['channel.connect', 'channel.disconnect', 'channel.update']);
    expect(await changedEvents('dc')).toBe(3);
  });

  it('refuses credentials copied from another channel row (the channel id is bound into the ciphertext)', async () => {
    await connect({ kind: 'SHOPIFY', id: 'victim', name: 'Victim', credentials: creds('shpat_victim') });
    await connect({ kind: 'SHOPIFY', id: 'thief', name: 'Thief', credentials: creds('shpat_thief') });
    await sql(
      t.db.url,
      "update channel set credentials_ciphertext = (select credentials_ciphertext from channel where id = 'victim') where id = 'thief'",
    );
    await expect(loadChannelCredentials(orm.em.fork(), key, 'thief')).rejects.toThrow('cannot be decrypted');
    expect(await loadChannelCredentials(orm.em.fork(), key, 'victim')).toMatchObject({ accessToken: 'shpat_victim' });
  });

  it('refuses to disconnect the direct channel or give it credentials', async () => {
    expect(codesOf(await call('mutation { disconnectChannel(id: "direct") { id } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await call(UPDATE, { id: 'direct', input: { credentials: creds() } }))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await call(UPDATE, { id: 'nope', input: { name: 'x' } }))).toEqual(['NOT_FOUND']);
  });

  it('keeps concurrent updates of different fields both (row lock, no lost update)', async () => {
    await connect({ kind: 'SHOPIFY', id: 'cc', name: 'Cc', credentials: creds() });
    const results = await Promise.all([
      call(UPDATE, { id: 'cc', input: { stockBuffer: 7 } }),
      call(UPDATE, { id: 'cc', input: { name: 'Concurrent' } }),
      call(UPDATE, { id: 'cc', input: { backorderPolicy: 'REJECT' } }),
    ]);
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const data = await ok<{ channel: ChannelData }>(`{ channel(id: "cc") { ${FIELDS} } }`);
    expect(data.channel).toMatchObject({ stockBuffer: 7, name: 'Concurrent', backorderPolicy: 'REJECT' });
  });
});

describe('syncChannel', () => {
  it('returns a job id for an enabled channel and audits the request', async () => {
    await connect({ kind: 'SHOPIFY', id: 'syn', name: 'Syn', credentials: creds() });
    const data = await ok<{ syncChannel: { jobId: string; channelId: string } }>(
      'mutation { syncChannel(id: "syn", since: "2026-01-01T00:00:00Z") { jobId channelId } }',
    );
    expect(data.syncChannel.channelId).toBe('syn');
    expect(data.syncChannel.jobId).toContain('syn');
    expect(await auditActions('syn')).toEqual(['channel.connect', 'channel.sync_requested']);
    const future = await call('mutation { syncChannel(id: "syn", since: "2999-01-01T00:00:00Z") { jobId } }');
    expect(codesOf(future)).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await call('mutation { syncChannel(id: "nope") { jobId } }'))).toEqual(['NOT_FOUND']);
  });
});

describe('channel reads and scope', () => {
  it('lets any role read channels, but a channel-scoped key only its own', async () => {
    await connect({ kind: 'SHOPIFY', id: 'scoped', name: 'Scoped', credentials: creds() });
    const integration = await createKey('int', 'INTEGRATION', 'scoped');
    const list = await ok<{ channels: { id: string }[] }>('{ channels { id } }', {}, integration);
    expect(list.channels.map((c) => c.id)).toEqual(['scoped']);
    const other = await call('{ channel(id: "shopify-eu") { id } }', {}, integration);
    expect(codesOf(other)).toEqual(['FORBIDDEN']);
    const own = await ok<{ channel: ChannelData }>(`{ channel(id: "scoped") { ${FIELDS} } }`, {}, integration);
    expect(own.channel.endpoint).toBeNull();
    const all = await ok<{ channels: { id: string }[] }>('{ channels { id } }', {}, keys.ops);
    expect(all.channels.map((c) => c.id)).toEqual(expect.arrayContaining(['direct', 'scoped', 'shopify-eu', 'sim']));
    expect(
      codesOf(await call('{ channelListings(channelId: "shopify-eu", first: 5) { totalCount } }', {}, integration)),
    ).toEqual(['FORBIDDEN']);
  });

  it('reports sync lag from lastSyncAt and the last error', async () => {
    await connect({ kind: 'SHOPIFY', id: 'lag', name: 'Lag', credentials: creds() });
    await sql(
      t.db.url,
      "update channel set last_sync_at = now() - interval '90 seconds', last_error = 'AUTH: token revoked', last_error_at = now() where id = 'lag'",
    );
    const data = await ok<{ channel: ChannelData }>(`{ channel(id: "lag") { ${FIELDS} } }`);
    expect(data.channel.health.syncLagSeconds).toBeGreaterThanOrEqual(89);
    expect(data.channel.health.syncLagSeconds).toBeLessThan(120);
    expect(data.channel.health.lastError).toBe('AUTH: token revoked');
  });
});

describe('listings', () => {
  const LISTINGS =
    'query($c: ID!, $after: String) { channelListings(channelId: $c, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { sku externalVariantId externalInventoryItemId mappedBy } } } }';
  const MAP = 'mutation($input: MapListingInput!) { mapListing(input: $input) { sku externalVariantId mappedBy } }';

  it('matches SKUs automatically, lets a manual mapping win, and resolves variants to SKUs', async () => {
    await connect({ kind: 'SHOPIFY', id: 'lst', name: 'Lst', credentials: creds() });
    const em = orm.em.fork();
    const written = await upsertAutoListings(em, 'lst', [
      {
        sku: 'CH-1',
        externalVariantId: 'gid://shopify/ProductVariant/9007199254740993',
        externalInventoryItemId: 'ii-1',
      },
      { sku: 'CH-2', externalVariantId: 'v-2', externalInventoryItemId: 'ii-2' },
      { sku: 'NOT-OURS', externalVariantId: 'v-x', externalInventoryItemId: null },
    ]);
    expect(written).toBe(2);
    // A platform SKU that differs from ours: mapped by hand to CH-3.
    const mapped = await ok<{ mapListing: Record<string, unknown> }>(MAP, {
      input: { channelId: 'lst', sku: 'CH-3', externalVariantId: 'v-3', externalInventoryItemId: 'ii-3' },
    });
    expect(mapped.mapListing).toEqual({ sku: 'CH-3', externalVariantId: 'v-3', mappedBy: 'MANUAL' });
    // Sync again: the platform now says v-3 is CH-2 and CH-3 is v-9: the manual row stays.
    await upsertAutoListings(em, 'lst', [
      { sku: 'CH-2', externalVariantId: 'v-3', externalInventoryItemId: null },
      { sku: 'CH-3', externalVariantId: 'v-9', externalInventoryItemId: null },
    ]);
    expect(
      await skusForExternalVariants(em, 'lst', ['v-3', 'v-2', 'gid://shopify/ProductVariant/9007199254740993']),
    ).toEqual(
      new Map([
        ['v-3', 'CH-3'],
        ['v-2', 'CH-2'],
        ['gid://shopify/ProductVariant/9007199254740993', 'CH-1'],
      ]),
    );
    expect(await skuForExternalVariant(em, 'lst', 'v-unknown')).toBeNull();

    const first = await ok<{
      channelListings: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: Record<string, unknown> }[];
      };
    }>(LISTINGS, { c: 'lst' }, keys.ops);
    expect(first.channelListings.totalCount).toBe(3);
    expect(first.channelListings.edges.map((e) => e.node.sku)).toEqual(['CH-1', 'CH-2']);
    expect(first.channelListings.pageInfo.hasNextPage).toBe(true);
    const second = await ok<{
      channelListings: { pageInfo: { hasNextPage: boolean }; edges: { node: Record<string, unknown> }[] };
    }>(LISTINGS, { c: 'lst', after: first.channelListings.pageInfo.endCursor }, keys.ops);
    expect(second.channelListings.edges.map((e) => e.node)).toEqual([
      { sku: 'CH-3', externalVariantId: 'v-3', externalInventoryItemId: 'ii-3', mappedBy: 'MANUAL' },
    ]);
    expect(second.channelListings.pageInfo.hasNextPage).toBe(false);
  });

  it('moves a manual mapping onto a variant sync had given another SKU, refuses two manual SKUs on one variant, and clears', async () => {
    const em = orm.em.fork();
    await upsertAutoListings(em, 'lst', [{ sku: 'CH-1', externalVariantId: 'v-auto', externalInventoryItemId: null }]);
    await ok(MAP, { input: { channelId: 'lst', sku: 'CH-2', externalVariantId: 'v-auto' } });
    expect(await skuForExternalVariant(em, 'lst', 'v-auto')).toBe('CH-2');
    const clash = await call(MAP, { input: { channelId: 'lst', sku: 'CH-1', externalVariantId: 'v-auto' } });
    expect(codesOf(clash)).toEqual(['CONFLICT']);
    const cleared = await ok<{ mapListing: null }>(MAP, {
      input: { channelId: 'lst', sku: 'CH-2', externalVariantId: null },
    });
    expect(cleared.mapListing).toBeNull();
    expect(await skuForExternalVariant(em, 'lst', 'v-auto')).toBeNull();
    expect(codesOf(await call(MAP, { input: { channelId: 'lst', sku: 'NOPE', externalVariantId: 'v' } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      codesOf(await call(MAP, { input: { channelId: 'lst', sku: 'CH-1', externalVariantId: 'v' } }, keys.ops)),
    ).toEqual(['FORBIDDEN']);
  });
});
