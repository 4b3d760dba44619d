import type { EntityManager } from '@mikro-orm/core';
import { eligibleLocationSql } from './allocation.service.js';
import { availableSql, levelColumns } from './stock-level.entity.js';

/**
 * availableToSell (stock-levels.query.ts) for many SKUs of one channel in one statement, for
 * the stock push: Σ max(0, available) over the channel's eligible locations − the channel's
 * stock buffer, at least 0. Built from the same SQL forms as the rest of inventory
 * (availableSql, eligibleLocationSql), so a changed rule reaches the push too;
 * test/integration/stock-push.test.ts checks the figures equal availableToSell's.
 *
 * Parameters: the SKUs as a JSON array (a JSON text, so no driver expands it), then the channel
 * id. SKUs that do not exist are left out.
 */
export const CHANNEL_AVAILABLE_TO_SELL_SQL = `
  select v.sku,
         greatest(0, coalesce(sum(greatest(0, ${availableSql(levelColumns('s'))})) filter (where l.id is not null), 0)
                     - c.stock_buffer)::int as quantity
    from channel c
    join variant v on v.sku in (select jsonb_array_elements_text(?::jsonb))
    left join stock_level s on s.variant_id = v.id
    left join location l on l.id = s.location_id and ${eligibleLocationSql('l', 'c.id')}
   where c.id = ?
   group by v.sku, c.stock_buffer`;

/** What the channel may sell of each SKU (see CHANNEL_AVAILABLE_TO_SELL_SQL). */
export async function channelAvailableToSell(
  em: EntityManager,
  channelId: string,
  skus: readonly string[],
): Promise<Map<string, number>> {
  if (skus.length === 0) return new Map();
  const rows: { sku: string; quantity: number }[] = await em
    .getConnection()
    .execute(CHANNEL_AVAILABLE_TO_SELL_SQL, [JSON.stringify(skus), channelId], 'all', em.getTransactionContext());
  return new Map(rows.map((r) => [r.sku, Number(r.quantity)]));
}
