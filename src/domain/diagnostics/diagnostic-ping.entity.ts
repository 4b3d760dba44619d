import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const PING_STATUSES = ['queued', 'running', 'done'] as const;
export type PingStatus = (typeof PING_STATUSES)[number];

/**
 * A diagnostic ping travels API → queue → worker → database, so an operator can prove the
 * whole job pipeline works. `attempts` counts how often a worker picked it up: more than one
 * means a worker died or stalled while holding it.
 */
export const DiagnosticPingSchema = defineEntity({
  name: 'DiagnosticPing',
  tableName: 'diagnostic_ping',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    requestedBy: p.string().length(64),
    delayMs: p.integer(),
    status: p.enum([...PING_STATUSES]),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});

export class DiagnosticPing extends DiagnosticPingSchema.class {}
DiagnosticPingSchema.setClass(DiagnosticPing);
