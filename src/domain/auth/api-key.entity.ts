import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** An API key: only its SHA-256 hash is stored, with a visible prefix for recognition. */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_key',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    name: p.string().length(100),
    prefix: p.string().length(16).unique(),
    hash: p.string().length(64).unique(),
    role: p.string().length(20),
    channelId: p.string().length(64).nullable(),
    createdBy: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
    revokedAt: p.datetime().nullable(),
    revokedBy: p.string().length(64).nullable(),
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);
