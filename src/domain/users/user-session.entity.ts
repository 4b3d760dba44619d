import { defineEntity, p } from '@mikro-orm/core';

/**
 * A console session: the id is the SHA-256 (hex) of the token the browser holds in its cookie,
 * so a copy of this table signs nobody in. `csrfToken` must come back in a header with every
 * change a cookie authenticates (sessions.ts).
 */
export const UserSessionSchema = defineEntity({
  name: 'UserSession',
  tableName: 'user_session',
  properties: {
    id: p.string().length(64).primary(),
    userId: p.uuid(),
    csrfToken: p.string().length(64),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    expiresAt: p.datetime(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(200).nullable(),
  },
});

export class UserSession extends UserSessionSchema.class {}
UserSessionSchema.setClass(UserSession);
