import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261127000000_platform } from './Migration20261127000000_platform.js';
import { Migration20261127010000_commerce } from './Migration20261127010000_commerce.js';
import { Migration20261127020000_fulfilment } from './Migration20261127020000_fulfilment.js';
import { Migration20261128010000_order_queries } from './Migration20261128010000_order_queries.js';
import { Migration20261128020000_inventory } from './Migration20261128020000_inventory.js';
import { Migration20261128030000_audit } from './Migration20261128030000_audit.js';
import { Migration20261128040000_idempotency } from './Migration20261128040000_idempotency.js';
import { Migration20261129010000_billing_address } from './Migration20261129010000_billing_address.js';
import { Migration20261129020000_placement_guard } from './Migration20261129020000_placement_guard.js';
import { Migration20261206010000_order_held_from } from './Migration20261206010000_order_held_from.js';
import { Migration20261207000000_channel_connection } from './Migration20261207000000_channel_connection.js';
import { Migration20261207010000_channel_listings } from './Migration20261207010000_channel_listings.js';
import { Migration20261207020000_channel_order_versions } from './Migration20261207020000_channel_order_versions.js';
import { Migration20261207030000_webhook_inbox } from './Migration20261207030000_webhook_inbox.js';
import { Migration20261207040000_channel_push_state } from './Migration20261207040000_channel_push_state.js';
import { Migration20261207051500_order_line_external_id } from './Migration20261207051500_order_line_external_id.js';
import { Migration20261207094000_shipping } from './Migration20261207094000_shipping.js';
import { Migration20261207092000_payments } from './Migration20261207092000_payments.js';
import { Migration20261207096000_notifications } from './Migration20261207096000_notifications.js';
import { Migration20261207097000_provider_inbox } from './Migration20261207097000_provider_inbox.js';
import { Migration20261207097500_webhook_body_lz4 } from './Migration20261207097500_webhook_body_lz4.js';
import { Migration20261207110000_users } from './Migration20261207110000_users.js';
import { Migration20261207111000_user_sessions } from './Migration20261207111000_user_sessions.js';
import { Migration20261207120000_order_channel_buyer } from './Migration20261207120000_order_channel_buyer.js';
import { Migration20261207120000_user_two_factor } from './Migration20261207120000_user_two_factor.js';
import { Migration20261207125000_listing_push_error } from './Migration20261207125000_listing_push_error.js';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list runs from the
 * compiled build, the tests and the embedded PGlite default.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261127000000_platform', class: Migration20261127000000_platform },
  { name: 'Migration20261127010000_commerce', class: Migration20261127010000_commerce },
  { name: 'Migration20261127020000_fulfilment', class: Migration20261127020000_fulfilment },
  { name: 'Migration20261128010000_order_queries', class: Migration20261128010000_order_queries },
  { name: 'Migration20261128020000_inventory', class: Migration20261128020000_inventory },
  { name: 'Migration20261128030000_audit', class: Migration20261128030000_audit },
  { name: 'Migration20261128040000_idempotency', class: Migration20261128040000_idempotency },
  { name: 'Migration20261129010000_billing_address', class: Migration20261129010000_billing_address },
  { name: 'Migration20261129020000_placement_guard', class: Migration20261129020000_placement_guard },
  { name: 'Migration20261206010000_order_held_from', class: Migration20261206010000_order_held_from },
  { name: 'Migration20261207000000_channel_connection', class: Migration20261207000000_channel_connection },
  { name: 'Migration20261207010000_channel_listings', class: Migration20261207010000_channel_listings },
  { name: 'Migration20261207020000_channel_order_versions', class: Migration20261207020000_channel_order_versions },
  { name: 'Migration20261207030000_webhook_inbox', class: Migration20261207030000_webhook_inbox },
  { name: 'Migration20261207040000_channel_push_state', class: Migration20261207040000_channel_push_state },
  {
    name: 'Migration20261207051500_order_line_external_id',
    class: Migration20261207051500_order_line_external_id,
  },
  { name: 'Migration20261207092000_payments', class: Migration20261207092000_payments },
  { name: 'Migration20261207094000_shipping', class: Migration20261207094000_shipping },
  {
    name: 'Migration20261207096000_notifications',
    class: Migration20261207096000_notifications,
  },
  {
    name: 'Migration20261207097000_provider_inbox',
    class: Migration20261207097000_provider_inbox,
  },
  {
    name: 'Migration20261207097500_webhook_body_lz4',
    class: Migration20261207097500_webhook_body_lz4,
  },
  { name: 'Migration20261207110000_users', class: Migration20261207110000_users },
  { name: 'Migration20261207111000_user_sessions', class: Migration20261207111000_user_sessions },
  {
    name: 'Migration20261207120000_order_channel_buyer',
    class: Migration20261207120000_order_channel_buyer,
  },
  { name: 'Migration20261207120000_user_two_factor', class: Migration20261207120000_user_two_factor },
  { name: 'Migration20261207125000_listing_push_error', class: Migration20261207125000_listing_push_error },
];
