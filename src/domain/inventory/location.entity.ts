import { defineEntity, p } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { PostalAddress } from '../address.js';

/** A warehouse or store that holds stock and may ship orders for some channels. */
export const LocationSchema = defineEntity({
  name: 'Location',
  tableName: 'location',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    code: p.string().length(32).unique(),
    name: p.string().length(200),
    address: p.json<PostalAddress>(),
    latitude: p.double().nullable(),
    longitude: p.double().nullable(),
    /** Lower ships first when nothing else decides. */
    priority: p.integer().default(100),
    active: p.boolean().default(true),
    fulfilsOnline: p.boolean().default(true),
    /** Channels it ships for; empty means every channel. */
    channelIds: p.array().default([]),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class Location extends LocationSchema.class {}
LocationSchema.setClass(Location);
