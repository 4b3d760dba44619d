import { z } from 'zod';

/** The notification type this hub takes from SQS (CONNECTORS.md §2). */
export const ORDER_CHANGE = 'ORDER_CHANGE';

/**
 * What the hub reads of an SP-API notification (schemas/notifications/OrderChangeNotification.json):
 * only what routes and dedupes it. The order itself is re-read from the Orders API before it is
 * applied, so nothing else of the payload is trusted or needed; unknown fields pass.
 */
const envelope = z.object({
  NotificationType: z.string().min(1),
  NotificationMetadata: z.object({
    NotificationId: z.string().min(1).max(255),
    PublishTime: z.iso.datetime({ offset: true }).optional(),
  }),
  EventTime: z.iso.datetime({ offset: true }).optional(),
  Payload: z.unknown(),
});

const orderChange = z.object({
  OrderChangeNotification: z.object({
    SellerId: z.string().min(1).max(64),
    AmazonOrderId: z.string().min(1).max(64),
    Summary: z.object({ MarketplaceId: z.string().min(1).max(64).optional() }).optional(),
  }),
});

export interface OrderChangeNotice {
  notificationId: string;
  sellerId: string;
  amazonOrderId: string;
  marketplaceId: string | null;
  /** When Amazon published it (PublishTime, else EventTime); null if it says neither. */
  publishedAt: Date | null;
}

/** The body is not an SP-API notification at all: it cannot be routed or deduped. */
export class UnreadableNotification extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableNotification';
  }
}

/**
 * Reads an SQS message body as an SP-API notification. Returns the notice for ORDER_CHANGE, or
 * `{ otherType }` for a well-formed notification of another type; throws UnreadableNotification
 * for anything else (not JSON, no NotificationId, an ORDER_CHANGE without seller or order id).
 */
export function readNotification(body: string): OrderChangeNotice | { otherType: string; notificationId: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnreadableNotification('the message body is not JSON');
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) throw new UnreadableNotification(`not an SP-API notification: ${issues(parsed.error)}`);
  const { NotificationType, NotificationMetadata, EventTime, Payload } = parsed.data;
  if (NotificationType !== ORDER_CHANGE)
    return { otherType: NotificationType, notificationId: NotificationMetadata.NotificationId };
  const payload = orderChange.safeParse(Payload);
  if (!payload.success) throw new UnreadableNotification(`ORDER_CHANGE payload: ${issues(payload.error)}`);
  const change = payload.data.OrderChangeNotification;
  const published = NotificationMetadata.PublishTime ?? EventTime;
  return {
    notificationId: NotificationMetadata.NotificationId,
    sellerId: change.SellerId,
    amazonOrderId: change.AmazonOrderId,
    marketplaceId: change.Summary?.MarketplaceId ?? null,
    publishedAt: published ? new Date(published) : null,
  };
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ');
}
