import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { webhookSecretOf } from '../../src/domain/channels/channel-credentials.js';
import { openCredentials, sealCredentials } from '../../src/domain/channels/channel-secrets.js';
import { WebhookSecretCache } from '../../src/domain/channels/webhook-secret-cache.js';
import { createOrm, type Orm } from '../../src/platform/database.js';
import { createTestDatabase, sql, type TestDatabase } from '../support/database.js';
import { post, serveInbox, signedDelivery } from '../support/webhook-inbox.js';

/**
 * The hub opens webhook secrets from the channel row it reads on every delivery and keeps them
 * per ciphertext (webhook-inbox.ts): a credentials change, a disable or a disconnect counts from
 * the very next delivery, with no restart and no cache expiry to wait for.
 */
const key = randomBytes(32);
const seal = (webhookSecret: string) =>
  sealCredentials(key, 'shop-r', { shopDomain: 'r.myshopify.com', accessToken: 'shpat_r', webhookSecret });

let db: TestDatabase;
let orm: Orm;
let inbox: { base: string; close: () => Promise<void> };
const secrets = new WebhookSecretCache((channelId, ciphertext) =>
  webhookSecretOf(openCredentials(key, channelId, ciphertext)),
);

const setRow = (assignments: string, values: unknown[] = []) =>
  sql(db.url, `update channel set ${assignments} where id = 'shop-r'`, values);
const deliver = async (secret: string) =>
  (await post(inbox.base, 'shop-r', signedDelivery(secret, { id: randomBytes(4).readUInt32BE() }))).status;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await createOrm({ kind: 'postgres', url: db.url, poolMax: 4 });
  await sql(
    db.url,
    `insert into channel (id, kind, name, credentials_ciphertext) values ('shop-r', 'shopify', 'R', $1)`,
    [seal('secret-1')],
  );
  inbox = await serveInbox(orm, {
    secretFor: async (channel) => secrets.secretOf(channel.id, channel.credentialsCiphertext),
    enqueue: async () => undefined,
  });
});
afterAll(async () => {
  await inbox.close();
  await orm.close(true);
  await db.drop();
});

describe('webhook secrets kept in process', () => {
  it('takes the new secret, and refuses the old one, from the first delivery after the credentials change', async () => {
    expect(await deliver('secret-1')).toBe(200);
    expect(await deliver('secret-1')).toBe(200);
    await setRow('credentials_ciphertext = $1', [seal('secret-2')]);
    expect(await deliver('secret-1')).toBe(401);
    expect(await deliver('secret-2')).toBe(200);
  });

  it('sees a disable, a disconnect and removed credentials at once, though the secret is cached', async () => {
    expect(await deliver('secret-2')).toBe(200);
    await setRow('enabled = false');
    expect(await deliver('secret-2')).toBe(409);
    await setRow('enabled = true, disconnected_at = now()');
    expect(await deliver('secret-2')).toBe(410);
    await setRow('disconnected_at = null, credentials_ciphertext = null');
    // No credentials: the inbox cannot verify, so it stores nothing and the platform retries.
    expect(await deliver('secret-2')).toBe(503);
    expect(secrets.size).toBe(0);
  });

  it("refuses a ciphertext copied from another channel's row (it is sealed to that channel)", async () => {
    const other = sealCredentials(key, 'shop-other', {
      shopDomain: 'o.myshopify.com',
      accessToken: 'shpat_o',
      webhookSecret: 'other-secret',
    });
    await setRow('credentials_ciphertext = $1', [other]);
    expect(await deliver('other-secret')).toBe(503);
    await setRow('credentials_ciphertext = $1', [seal('secret-3')]);
    expect(await deliver('secret-3')).toBe(200);
  });
});
