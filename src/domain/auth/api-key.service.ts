import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { OperationContext } from '../context.js';
import { badInput, DomainError, ErrorCode, notFound } from '../errors.js';
import { isUuid } from '../ids.js';
import { newestFirstPage } from '../newest-first-page.js';
import type { Page } from '../pagination.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKeyToken, hashApiKeyToken, looksLikeApiKeyToken } from './api-key-token.js';
import type { Principal } from './principal.js';
import { ALL_ROLES, isRole, type Role } from './roles.js';

export interface CreateApiKeyInput {
  name: string;
  role: string;
  channelId?: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The whole key: shown once, never stored. */
  token: string;
}

const CHANNEL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function validateCreateApiKeyInput(input: CreateApiKeyInput): {
  name: string;
  role: Role;
  channelId: string | null;
} {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'must be 1 to 100 characters', { min: 1, max: 100 });
  if (!isRole(input.role)) throw badInput('role', `must be one of ${ALL_ROLES.join(', ')}`, { allowed: ALL_ROLES });
  const channelId = input.channelId ?? null;
  if (channelId !== null && !CHANNEL_ID.test(channelId)) {
    throw badInput('channelId', 'must be 1 to 64 letters, digits, _ or -');
  }
  if (channelId !== null && input.role === 'admin') {
    throw badInput(
      'channelId',
      'an admin key cannot be limited to one channel; pick another role or leave channelId empty',
    );
  }
  return { name, role: input.role, channelId };
}

export async function createApiKey(ctx: OperationContext, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const valid = validateCreateApiKeyInput(input);
  const generated = generateApiKeyToken();
  const apiKey = ctx.em.create(ApiKey, {
    ...valid,
    prefix: generated.prefix,
    hash: generated.hash,
    createdBy: ctx.actor.id,
    revokedAt: null,
    revokedBy: null,
  });
  await ctx.em.flush();
  ctx.logger.info(
    { apiKeyId: apiKey.id, prefix: apiKey.prefix, role: apiKey.role, by: ctx.actor.id },
    'api key created',
  );
  return { apiKey, token: generated.token };
}

/** Revoking is idempotent: a key revoked twice keeps its first revocation time. */
export async function revokeApiKey(ctx: OperationContext, id: string): Promise<ApiKey> {
  const apiKey = isUuid(id) ? await ctx.em.findOne(ApiKey, { id }) : null;
  if (!apiKey) throw notFound('ApiKey', id);
  if (!apiKey.revokedAt) {
    apiKey.revokedAt = new Date();
    apiKey.revokedBy = ctx.actor.id;
    await ctx.em.flush();
    ctx.logger.info({ apiKeyId: apiKey.id, prefix: apiKey.prefix, by: ctx.actor.id }, 'api key revoked');
  }
  return apiKey;
}

export async function listApiKeys(
  ctx: OperationContext,
  args: { first?: number | null; after?: string | null; includeRevoked?: boolean | null },
): Promise<Page<ApiKey>> {
  const where: FilterQuery<ApiKey> = args.includeRevoked ? {} : { revokedAt: null };
  return newestFirstPage(ctx.em, ApiKey, where, args);
}

/** Looks a presented token up by its hash; `null` for unknown or revoked keys. */
export async function findPrincipalByToken(em: EntityManager, token: string): Promise<Principal | null> {
  if (!looksLikeApiKeyToken(token)) return null;
  const apiKey = await em.findOne(ApiKey, { hash: hashApiKeyToken(token) });
  if (!apiKey || apiKey.revokedAt) return null;
  return principalOf(apiKey);
}

export function principalOf(apiKey: ApiKey): Principal {
  if (!isRole(apiKey.role)) throw new DomainError(ErrorCode.INTERNAL, `api key ${apiKey.id} has unknown role`);
  return {
    kind: 'api_key',
    id: apiKey.id,
    name: apiKey.name,
    role: apiKey.role,
    channelId: apiKey.channelId ?? null,
    keyPrefix: apiKey.prefix,
  };
}

/**
 * The embedded default's first start: with no keys at all, create one admin key so the person
 * who just ran `npm start` can call the API. Returns the token to print once, or null.
 */
export async function createInitialAdminKeyIfNone(ctx: OperationContext): Promise<string | null> {
  if ((await ctx.em.count(ApiKey, {})) > 0) return null;
  const { token } = await createApiKey(ctx, { name: 'initial admin key', role: 'admin' });
  return token;
}
