import type { EntityManager } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { runPrepared } from '../prepared-statement.js';
import { asDeliveryBodyError, type NewDelivery, type WebhookChannel } from './record-delivery.js';

export type UnchangedRecord = { id: string; duplicate: false } | { duplicate: true } | { changed: true };

/** Group sizes a statement is prepared for; a group is padded with nulls to the next one. */
const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;

/*
 * The shortcut's insert, for many deliveries in one statement: each row is stored only if its
 * channel row still holds exactly the snapshot the caller verified with (an open channel, the
 * same sealed credentials), deduped on (channel, delivery id) like every insert into the inbox.
 * The bodies are parameters of their own, bound as raw bytes: neither decoded nor escaped into
 * JSON on the event loop (the ack path's largest cost once was exactly that); the server checks
 * each is UTF-8 JSON (`::json` keeps the text as given). One statement per size in SIZES.
 */
function groupSql(size: number): string {
  const bodies = Array.from({ length: size }, () => '?::text').join(', ');
  return `
with given as materialized (
  select g.*, b.body::json::text as body
    from jsonb_to_recordset(?::jsonb) as g(i integer, channel_id varchar, kind varchar, enabled boolean,
      disconnected_at timestamptz, ciphertext text, id uuid, delivery_id varchar, topic varchar, triggered_at timestamptz)
    join unnest(array[${bodies}]) with ordinality as b(body, n) on b.n = g.i + 1
), seen as materialized (
  select g.i from given g join channel c on c.id = g.channel_id
   where c.kind = g.kind and c.enabled = g.enabled and c.disconnected_at is not distinct from g.disconnected_at
     and c.credentials_ciphertext is not distinct from g.ciphertext
), stored as (
  insert into webhook_delivery (id, channel_id, delivery_id, topic, triggered_at, body)
  select g.id, g.channel_id, g.delivery_id, g.topic, g.triggered_at, g.body from given g join seen using (i) order by g.i
  on conflict (channel_id, delivery_id) do nothing
  returning id
)
select g.i, exists (select 1 from seen s where s.i = g.i) as unchanged, (select st.id from stored st where st.id = g.id) as id
from given g order by g.i`;
}

const sqlBySize = new Map<number, string>();

interface Waiting {
  seen: WebhookChannel;
  delivery: NewDelivery;
  resolve: (r: UnchangedRecord) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for the webhook ack: a delivery is stored at once when the database is free, and
 * deliveries arriving while `inFlight` statements run wait for the next one and go together, so
 * a burst costs one statement (and one WAL flush) per group instead of per delivery, and adds no
 * wait when deliveries are few. Every caller still gets its own answer only after its row
 * committed (or was found a duplicate): the ack never runs ahead of storage.
 */
export class DeliveryGroupCommit {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly options: { inFlight: number; maxGroup: number } = { inFlight: 2, maxGroup: 200 },
  ) {}

  record(seen: WebhookChannel, delivery: NewDelivery): Promise<UnchangedRecord> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ seen, delivery, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.inFlight && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.options.maxGroup);
      this.running++;
      void this.write(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    const ids = group.map(() => randomUUID());
    const size = SIZES.find((n) => n >= group.length) ?? group.length;
    let sql = sqlBySize.get(size);
    if (sql === undefined) sqlBySize.set(size, (sql = groupSql(size)));
    try {
      const rows = await runPrepared<{ i: number; unchanged: boolean; id: string | null }>(
        this.em,
        `switchyard_record_webhook_deliveries_${size}`,
        sql,
        [
          JSON.stringify(
            group.map(({ seen, delivery }, i) => ({
              i,
              channel_id: seen.id,
              kind: seen.kind,
              enabled: seen.enabled,
              disconnected_at: seen.disconnectedAt,
              ciphertext: seen.credentialsCiphertext,
              id: ids[i],
              delivery_id: delivery.deliveryId,
              topic: delivery.topic,
              triggered_at: delivery.triggeredAt,
            })),
          ),
          ...Array.from({ length: size }, (_, i) => group[i]?.delivery.body ?? null),
        ],
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
      group.forEach((w, i) => {
        const row = byIndex.get(i);
        if (!row) w.reject(new Error('the group insert returned no row for a delivery'));
        else if (!row.unchanged) w.resolve({ changed: true });
        else w.resolve(row.id === ids[i] ? { id: ids[i]!, duplicate: false } : { duplicate: true });
      });
    } catch (error) {
      // One delivery must not fail its neighbours: a group that failed is written one by one,
      // so only a delivery that fails alone is answered with the error (503, the platform retries).
      if (group.length === 1) group[0]!.reject(asDeliveryBodyError(error));
      else for (const w of group) await this.write([w]);
    }
  }
}
