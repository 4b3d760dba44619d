import type { Redis } from 'ioredis';
import { findPrincipalByToken } from '../domain/auth/api-key.service.js';
import { timingSafeEqual } from 'node:crypto';
import { hashApiKeyToken } from '../domain/auth/api-key-token.js';
import type { Principal } from '../domain/auth/principal.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { Orm } from './database.js';
import type { IncomingHttpHeaders } from 'node:http';
import { CSRF_HEADER, type ConsoleSessions } from './console-sessions.js';

const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

const BOOTSTRAP_ADMIN: Principal = {
  kind: 'bootstrap_admin',
  id: 'bootstrap',
  name: 'SWITCHYARD_ADMIN_KEY',
  role: 'admin',
  channelId: null,
  keyPrefix: null,
};

interface CacheEntry {
  principal: Principal | null;
  expiresAt: number;
}

/**
 * Turns an `Authorization` value into a Principal without a database round trip per request:
 * lookups are cached by key hash for `ttlMs` (unknown keys for 5 s), concurrent misses share
 * one query, and a revocation is broadcast over Redis so every API process drops the key at
 * once; the TTL bounds staleness should a broadcast be missed.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  private readonly revocationListeners: ((keyId: string) => void)[] = [];

  private readonly adminKeyHash: Buffer | undefined;
  private readonly revokedChannel: string;

  constructor(
    private readonly orm: Orm,
    private readonly options: {
      adminKey: string | undefined;
      ttlMs: number;
      channelPrefix?: string;
      /** Console sessions: a request without an Authorization header may sign in by its cookie. */
      sessions?: ConsoleSessions;
    },
    private readonly publisher?: Redis,
  ) {
    this.adminKeyHash = options.adminKey ? Buffer.from(hashApiKeyToken(options.adminKey), 'hex') : undefined;
    // Namespaced like the queues, so hubs sharing one Redis under other prefixes stay apart.
    this.revokedChannel = `${options.channelPrefix ?? '{switchyard}'}:api-key-revoked`;
  }

  /** Listens for revocations made by other processes. */
  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === this.revokedChannel) this.forget(keyId);
    });
    await subscriber.subscribe(this.revokedChannel);
  }

  /**
   * `null` when no credentials were presented (anonymous); throws UNAUTHENTICATED when they were
   * presented but are empty, malformed, unknown or revoked, so a typo (or a client that sends
   * `Authorization:` with an unset variable) never silently acts anonymously.
   */
  async authenticate(authorization: string | undefined | null): Promise<Principal | null> {
    if (authorization === undefined || authorization === null) return null;
    const match = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
    if (!match?.[1]) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Send the API key as "Authorization: Bearer <key>"');
    }
    const token = match[1];
    // One SHA-256 per request: the same digest checks the bootstrap key and keys the cache.
    const hash = hashApiKeyToken(token);
    if (this.adminKeyHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminKeyHash)) return BOOTSTRAP_ADMIN;
    const principal = await this.lookup(hash, token);
    if (!principal)
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The API key is not valid: it is unknown or revoked');
    return principal;
  }

  /**
   * The caller of an HTTP request: its API key when it sends `Authorization`, else the console
   * session its cookie opens (with the CSRF header required when `csrf`: anything that can
   * change data), else null (anonymous).
   */
  async authenticateRequest(headers: IncomingHttpHeaders, options: { csrf: boolean }): Promise<Principal | null> {
    if (headers.authorization !== undefined || !this.options.sessions) return this.authenticate(headers.authorization);
    return this.options.sessions.principal(
      { cookie: headers.cookie, [CSRF_HEADER]: headers[CSRF_HEADER] },
      options.csrf,
    );
  }

  /**
   * Drops a revoked key here and tells every other API process to do the same; also called with a
   * console user's id when that user's sessions end, so their open sockets close everywhere.
   */
  async revoked(keyId: string): Promise<void> {
    this.forget(keyId);
    await this.publisher?.publish(this.revokedChannel, keyId).catch(() => undefined);
  }

  /** Called with a key id whenever a key is revoked here or on another process (e.g. to close its sockets). */
  onRevoked(listener: (keyId: string) => void): void {
    this.revocationListeners.push(listener);
  }

  private forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal?.id === keyId) this.cache.delete(hash);
    for (const listener of this.revocationListeners) listener(keyId);
  }

  private async lookup(hash: string, token: string): Promise<Principal | null> {
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const pending = this.inFlight.get(hash);
    if (pending) return pending;
    const query = findPrincipalByToken(this.orm.em.fork(), token)
      .then((principal) => {
        if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(hash, { principal, expiresAt: Date.now() + (principal ? this.options.ttlMs : NEGATIVE_TTL_MS) });
        return principal;
      })
      .finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, query);
    return query;
  }
}
