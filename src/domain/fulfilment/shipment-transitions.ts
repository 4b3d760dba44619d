import { guardTransition, upperCase } from '../state-machine.js';
import type { Shipment } from './shipment.entity.js';
import { SHIPMENT_TRANSITIONS, type ShipmentStatus } from './shipment-status.js';

/** Moves a shipment along its table, or refuses with ILLEGAL_TRANSITION naming current and allowed next. */
export function transitionShipment(shipment: Shipment, to: ShipmentStatus): void {
  guardTransition(
    SHIPMENT_TRANSITIONS,
    { label: `Shipment ${shipment.id}`, ids: { shipmentId: shipment.id }, stateName: upperCase },
    shipment.status,
    to,
  );
  shipment.status = to;
}
