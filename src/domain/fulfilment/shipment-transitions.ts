import { DomainError, ErrorCode } from '../errors.js';
import type { Shipment } from './shipment.entity.js';
import { SHIPMENT_TRANSITIONS, type ShipmentStatus } from './shipment-status.js';

/** Moves a shipment along its table, or refuses with ILLEGAL_TRANSITION naming current and allowed next. */
export function transitionShipment(shipment: Shipment, to: ShipmentStatus): void {
  const allowed = SHIPMENT_TRANSITIONS[shipment.status];
  if (!allowed.includes(to)) {
    throw new DomainError(
      ErrorCode.ILLEGAL_TRANSITION,
      `Shipment ${shipment.id} is ${shipment.status} and cannot become ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
      { shipmentId: shipment.id, current: shipment.status, requested: to, allowed: [...allowed] },
    );
  }
  shipment.status = to;
}
