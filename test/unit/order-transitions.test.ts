import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/core';
import { SYSTEM_PRINCIPAL } from '../../src/domain/auth/principal.js';
import { DomainError } from '../../src/domain/errors.js';
import { SHIPMENT_STATUSES, SHIPMENT_TRANSITIONS } from '../../src/domain/fulfilment/shipment-status.js';
import { transitionShipment } from '../../src/domain/fulfilment/shipment-transitions.js';
import type { Shipment } from '../../src/domain/fulfilment/shipment.entity.js';
import { fulfilmentStatusOf } from '../../src/domain/orders/lifecycle/fulfilment-status.js';
import type { OrderLine } from '../../src/domain/orders/order-line.entity.js';
import { ORDER_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from '../../src/domain/orders/order-status.js';
import { transitionOrder } from '../../src/domain/orders/order-transitions.js';
import type { Order } from '../../src/domain/orders/order.entity.js';
import { RETURN_STATUSES, RETURN_TRANSITIONS } from '../../src/domain/returns/return-status.js';
import { transitionReturn } from '../../src/domain/returns/return-transitions.js';
import type { ReturnRequest } from '../../src/domain/returns/return-request.entity.js';

/** An EntityManager that only records what transitionOrder asks it to create. */
function recordingEm() {
  const created: { entity: string; data: Record<string, unknown> }[] = [];
  const em = {
    create: (entity: { name: string }, data: Record<string, unknown>) => {
      created.push({ entity: entity.name, data });
      return data;
    },
  } as unknown as EntityManager;
  return { em, created };
}

const orderIn = (status: OrderStatus) =>
  ({ id: 'o-1', number: 'SY-1', status, channel: { id: 'direct' } }) as unknown as Order;

const edges = ORDER_STATUSES.flatMap((from) =>
  ORDER_STATUSES.map((to) => [from, to, ORDER_TRANSITIONS[from].includes(to)] as const),
);

describe('ORDER_TRANSITIONS through transitionOrder: every one of the 11 × 11 edges', () => {
  it('covers 121 edges, 31 of them legal', () => {
    expect(edges).toHaveLength(121);
    expect(edges.filter(([, , legal]) => legal)).toHaveLength(31);
  });

  it('lets every status before the order has fully shipped go ON_HOLD, and a hold return to each of them past allocation', () => {
    const into = ORDER_STATUSES.filter((s) => ORDER_TRANSITIONS[s].includes('ON_HOLD'));
    expect(into).toEqual([
      'PENDING',
      'CONFIRMED',
      'PAYMENT_AUTHORIZED',
      'ALLOCATED',
      'BACKORDERED',
      'PARTIALLY_SHIPPED',
    ]);
    expect(ORDER_TRANSITIONS.ON_HOLD).toEqual([
      'CONFIRMED',
      'PAYMENT_AUTHORIZED',
      'ALLOCATED',
      'BACKORDERED',
      'PARTIALLY_SHIPPED',
      'CANCELLED',
    ]);
  });

  it.each(edges.filter(([, , legal]) => legal))(
    '%s → %s is legal: the status moves, with a timeline entry and outbox events',
    (from, to) => {
      const { em, created } = recordingEm();
      const order = orderIn(from);
      transitionOrder(em, order, to, SYSTEM_PRINCIPAL, 'because');
      expect(order.status).toBe(to);
      expect(created.map((c) => c.entity)).toEqual(['OrderEvent', 'OutboxEvent', 'OutboxEvent']);
      expect(created[0]!.data).toMatchObject({
        type: 'status_changed',
        fromStatus: from,
        toStatus: to,
        reason: 'because',
        actorKind: 'system',
        actorId: 'system',
      });
      expect(created.slice(1).map((c) => c.data.topic)).toEqual(['order.event_recorded', 'order.status_changed']);
    },
  );

  it.each(edges.filter(([, , legal]) => !legal))(
    '%s → %s is illegal: ILLEGAL_TRANSITION naming current and allowed, nothing written',
    (from, to) => {
      const { em, created } = recordingEm();
      const order = orderIn(from);
      let error: unknown;
      try {
        transitionOrder(em, order, to, SYSTEM_PRINCIPAL, 'because');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe('ILLEGAL_TRANSITION');
      expect(e.details).toEqual({
        orderId: 'o-1',
        current: from,
        requested: to,
        allowed: [...ORDER_TRANSITIONS[from]],
      });
      expect(e.message).toContain(`is ${from} and cannot become ${to}`);
      expect(e.message).toContain(
        ORDER_TRANSITIONS[from].length ? ORDER_TRANSITIONS[from].join(', ') : 'none (final state)',
      );
      expect(order.status).toBe(from);
      expect(created).toEqual([]);
    },
  );
});

describe('shipment and return tables, through the same guard as orders', () => {
  const shipmentEdges = SHIPMENT_STATUSES.flatMap((from) =>
    SHIPMENT_STATUSES.map((to) => [from, to, SHIPMENT_TRANSITIONS[from].includes(to)] as const),
  );
  it.each(shipmentEdges)('shipment %s → %s legal: %s', (from, to, legal) => {
    const shipment = { id: 's-1', status: from } as unknown as Shipment;
    if (legal) {
      transitionShipment(shipment, to);
      expect(shipment.status).toBe(to);
    } else {
      // Named as the API's ShipmentStatus enum names them (SHIPPED), not as stored (shipped).
      const allowed = SHIPMENT_TRANSITIONS[from].map((s) => s.toUpperCase());
      const [current, requested] = [from.toUpperCase(), to.toUpperCase()];
      expect(() => transitionShipment(shipment, to)).toThrow(
        expect.objectContaining({
          code: 'ILLEGAL_TRANSITION',
          message: `Shipment s-1 is ${current} and cannot become ${requested}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
          details: { shipmentId: 's-1', current, requested, allowed },
        }),
      );
      expect(shipment.status).toBe(from);
    }
  });

  const returnEdges = RETURN_STATUSES.flatMap((from) =>
    RETURN_STATUSES.map((to) => [from, to, RETURN_TRANSITIONS[from].includes(to)] as const),
  );
  it.each(returnEdges)('return %s → %s legal: %s', (from, to, legal) => {
    const ret = { id: 'r-1', status: from } as unknown as ReturnRequest;
    if (legal) {
      transitionReturn(ret, to);
      expect(ret.status).toBe(to);
    } else {
      const allowed = RETURN_TRANSITIONS[from].map((s) => s.toUpperCase());
      const [current, requested] = [from.toUpperCase(), to.toUpperCase()];
      expect(() => transitionReturn(ret, to)).toThrow(
        expect.objectContaining({
          code: 'ILLEGAL_TRANSITION',
          message: `Return r-1 is ${current} and cannot become ${requested}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
          details: { returnId: 'r-1', current, requested, allowed },
        }),
      );
      expect(ret.status).toBe(from);
    }
  });
});

describe('fulfilmentStatusOf: the status an order in fulfilment has, from its lines', () => {
  const line = (quantity: number, allocated: number, shipped: number, cancelled: number) =>
    ({ quantity, quantityAllocated: allocated, quantityShipped: shipped, quantityCancelled: cancelled }) as OrderLine;
  it.each([
    ['ALLOCATED', [line(2, 2, 0, 0), line(1, 1, 0, 0)]],
    ['BACKORDERED', [line(2, 1, 0, 0)]],
    ['PARTIALLY_SHIPPED', [line(2, 2, 1, 0)]],
    ['PARTIALLY_SHIPPED', [line(2, 1, 1, 0), line(3, 0, 0, 0)]],
    ['SHIPPED', [line(2, 2, 2, 0), line(3, 0, 0, 3)]],
    ['CANCELLED', [line(2, 0, 0, 2)]],
  ] as const)('%s', (status, lines) => {
    expect(fulfilmentStatusOf([...lines])).toBe(status);
  });
});
