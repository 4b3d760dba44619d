import { ApiKey } from './auth/api-key.entity.js';
import { Product } from './catalog/product.entity.js';
import { Variant } from './catalog/variant.entity.js';
import { ChannelListing } from './channels/channel-listing.entity.js';
import { Channel } from './channels/channel.entity.js';
import { DiagnosticPing } from './diagnostics/diagnostic-ping.entity.js';
import { ShipmentLine } from './fulfilment/shipment-line.entity.js';
import { Shipment } from './fulfilment/shipment.entity.js';
import { Location } from './inventory/location.entity.js';
import { Reservation } from './inventory/reservation.entity.js';
import { StockLevel } from './inventory/stock-level.entity.js';
import { StockMovement } from './inventory/stock-movement.entity.js';
import { Customer } from './orders/customer.entity.js';
import { OrderEvent } from './orders/order-event.entity.js';
import { OrderLine } from './orders/order-line.entity.js';
import { Order } from './orders/order.entity.js';
import { OutboxEvent } from './outbox/outbox-event.entity.js';
import { PaymentStep } from './payments/payment-step.entity.js';
import { Payment } from './payments/payment.entity.js';
import { ReturnLine } from './returns/return-line.entity.js';
import { ReturnRequest } from './returns/return-request.entity.js';
import { ShippingLabel } from './shipping/shipping-label.entity.js';
import { ShippingRule } from './shipping/shipping-rule.entity.js';
import { TrackingEvent } from './shipping/tracking-event.entity.js';
import { SignInChallenge } from './users/sign-in-challenge.entity.js';
import { UserRecoveryCode } from './users/user-recovery-code.entity.js';
import { UserSession } from './users/user-session.entity.js';
import { User } from './users/user.entity.js';
import { WebhookDelivery } from './webhooks/webhook-delivery.entity.js';

/** Every entity the ORM must know about. */
export const entities = [
  ApiKey,
  User,
  UserSession,
  UserRecoveryCode,
  SignInChallenge,
  DiagnosticPing,
  Channel,
  ChannelListing,
  Product,
  Variant,
  Customer,
  Location,
  StockLevel,
  StockMovement,
  Reservation,
  Order,
  OrderLine,
  OrderEvent,
  OutboxEvent,
  Shipment,
  ShipmentLine,
  ReturnRequest,
  ReturnLine,
  WebhookDelivery,
  ShippingLabel,
  TrackingEvent,
  ShippingRule,
  Payment,
  PaymentStep,
];
