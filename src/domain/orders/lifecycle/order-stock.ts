import type { EntityManager } from '@mikro-orm/core';
import { Shipment } from '../../fulfilment/shipment.entity.js';
import { ShipmentLine } from '../../fulfilment/shipment-line.entity.js';
import { transitionShipment } from '../../fulfilment/shipment-transitions.js';
import { Reservation } from '../../inventory/reservation.entity.js';
import { recordLevelChanged } from '../../inventory/level-events.js';
import { releaseStock, shipStock } from '../../inventory/stock-ledger.js';
import type { OrderLine } from '../order-line.entity.js';
import type { Order } from '../order.entity.js';

interface StockOp {
  kind: 'release' | 'ship';
  variantId: string;
  locationId: string;
  quantity: number;
  reason: string;
}

/**
 * One order's held stock for the length of one change: its active reservations, its shipments
 * and what their lines claim. Changes are planned in memory (reservations split, marked released
 * or consumed; shipments cancelled) and the stock rows are written once, by `apply`, in
 * (variant, location) order like allocation, so concurrent changes take row locks in one order.
 */
export class OrderStock {
  private readonly ops: StockOp[] = [];

  private constructor(
    private readonly tx: EntityManager,
    private readonly order: Order,
    private readonly reservations: Reservation[],
    readonly shipments: Shipment[],
    readonly shipmentLines: ShipmentLine[],
  ) {}

  static async load(tx: EntityManager, order: Order, lines: OrderLine[]): Promise<OrderStock> {
    const lineIds = lines.map((l) => l.id);
    const reservations =
      lineIds.length === 0
        ? []
        : await tx.find(
            Reservation,
            { orderLineId: { $in: lineIds }, status: 'active' },
            { orderBy: { createdAt: 'asc', id: 'asc' } },
          );
    const shipments = await tx.find(Shipment, { order: order.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const shipmentLines =
      shipments.length === 0 ? [] : await tx.find(ShipmentLine, { shipment: { $in: shipments.map((s) => s.id) } });
    return new OrderStock(tx, order, reservations, shipments, shipmentLines);
  }

  private active(lineId: string, locationId?: string): Reservation[] {
    return this.reservations.filter(
      (r) =>
        r.status === 'active' && r.orderLineId === lineId && (locationId === undefined || r.locationId === locationId),
    );
  }

  linesOf(shipment: Shipment): ShipmentLine[] {
    return this.shipmentLines.filter((sl) => sl.shipment.id === shipment.id);
  }

  /** Units of a line that created (not yet shipped) shipments at a location claim. */
  claimed(lineId: string, locationId: string): number {
    return this.shipments
      .filter((s) => s.status === 'created' && s.locationId === locationId)
      .flatMap((s) => this.linesOf(s))
      .filter((sl) => sl.orderLineId === lineId)
      .reduce((sum, sl) => sum + sl.quantity, 0);
  }

  /** Per location: units of the line held there and in no shipment yet. Locations in a stable order. */
  free(lineId: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.active(lineId)) out.set(r.locationId, (out.get(r.locationId) ?? 0) + r.quantity);
    for (const [locationId, held] of out) out.set(locationId, held - this.claimed(lineId, locationId));
    return new Map([...out].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Moves `n` units of a reservation to `status`, splitting the row when only part moves. */
  private take(r: Reservation, n: number, status: 'released' | 'consumed'): void {
    if (n === r.quantity) {
      r.status = status;
      return;
    }
    r.quantity -= n;
    const part = this.tx.create(Reservation, {
      orderLineId: r.orderLineId,
      variantId: r.variantId,
      locationId: r.locationId,
      quantity: n,
      status,
    });
    this.reservations.push(part);
  }

  cancelShipment(shipment: Shipment): void {
    transitionShipment(shipment, 'cancelled');
    shipment.cancelledAt = new Date();
  }

  /**
   * Releases `units` of the line's held stock: units no shipment claims first (newest
   * reservation first); if that is not enough, the line's created shipments are cancelled,
   * newest first, and their units released. Returns the shipments it cancelled.
   */
  release(line: OrderLine, units: number, reason: string): Shipment[] {
    const cancelled: Shipment[] = [];
    let need = units;
    for (;;) {
      const free = this.free(line.id);
      for (const r of [...this.active(line.id)].reverse()) {
        if (need === 0) break;
        const n = Math.min(need, r.quantity, free.get(r.locationId) ?? 0);
        if (n <= 0) continue;
        this.take(r, n, 'released');
        free.set(r.locationId, free.get(r.locationId)! - n);
        this.ops.push({ kind: 'release', variantId: r.variantId, locationId: r.locationId, quantity: n, reason });
        need -= n;
      }
      if (need === 0) return cancelled;
      const shipment = [...this.shipments]
        .reverse()
        .find((s) => s.status === 'created' && this.linesOf(s).some((sl) => sl.orderLineId === line.id));
      if (!shipment) throw new Error(`order line ${line.id} holds ${units - need} of the ${units} units to release`);
      this.cancelShipment(shipment);
      cancelled.push(shipment);
    }
  }

  /**
   * Takes `units` of a line's open quantity away (an edit or a cancellation): units never
   * allocated go first, then held ones are released. The caller lowers `quantity` or raises
   * `quantityCancelled`; this keeps `quantityAllocated` equal to the line's reservations.
   */
  dropOpenUnits(line: OrderLine, units: number, reason: string): { released: number; cancelledShipments: Shipment[] } {
    const held = line.quantityAllocated - line.quantityShipped;
    const unallocated = line.quantity - line.quantityCancelled - line.quantityShipped - held;
    const released = Math.max(0, units - unallocated);
    if (released === 0) return { released, cancelledShipments: [] };
    const cancelledShipments = this.release(line, released, reason);
    line.quantityAllocated -= released;
    return { released, cancelledShipments };
  }

  /** Consumes the reservations a created shipment claims: its units leave the building. */
  consume(shipment: Shipment, lines: OrderLine[]): void {
    for (const sl of this.linesOf(shipment)) {
      let need = sl.quantity;
      for (const r of this.active(sl.orderLineId, shipment.locationId)) {
        const n = Math.min(need, r.quantity);
        this.take(r, n, 'consumed');
        this.ops.push({
          kind: 'ship',
          variantId: r.variantId,
          locationId: r.locationId,
          quantity: n,
          reason: `shipment ${shipment.id}`,
        });
        need -= n;
        if (need === 0) break;
      }
      if (need > 0)
        throw new Error(
          `shipment ${shipment.id} claims ${sl.quantity} of line ${sl.orderLineId} but only ${sl.quantity - need} are held`,
        );
      lines.find((l) => l.id === sl.orderLineId)!.quantityShipped += sl.quantity;
    }
  }

  /**
   * Writes the planned stock changes, in (variant, location) order, each with its outbox events.
   * Returns the variants whose stock was released: free again, for waiting backorders.
   */
  async apply(actor: string): Promise<string[]> {
    const merged = new Map<string, StockOp>();
    for (const op of this.ops) {
      const key = `${op.variantId}|${op.locationId}|${op.kind}`;
      const seen = merged.get(key);
      if (seen) seen.quantity += op.quantity;
      else merged.set(key, { ...op });
    }
    this.ops.length = 0;
    const ordered = [...merged.values()].sort(
      (a, b) =>
        a.variantId.localeCompare(b.variantId) ||
        a.locationId.localeCompare(b.locationId) ||
        a.kind.localeCompare(b.kind),
    );
    const freed = new Set<string>();
    for (const op of ordered) {
      const key = { variantId: op.variantId, locationId: op.locationId };
      if (op.kind === 'release') {
        recordLevelChanged(this.tx, await releaseStock(this.tx, key, op.quantity, this.order.id, actor, op.reason), {
          reserved: -op.quantity,
        });
        freed.add(op.variantId);
      } else {
        recordLevelChanged(this.tx, await shipStock(this.tx, key, op.quantity, this.order.id, actor), {
          onHand: -op.quantity,
          reserved: -op.quantity,
        });
      }
    }
    return [...freed].sort();
  }
}
