import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ReturnDetail } from '../../../domain/orders/lifecycle/return-detail.js';
import { RETURN_STATUSES, type ReturnStatus } from '../../../domain/returns/return-status.js';
import { upperCaseEnumOf } from '../../common/enum-of.js';
import { Money, moneyOf } from '../../common/money.type.js';
import { OrderNode, orderNodeOf } from '../order.types.js';

/** The GraphQL enum ReturnStatus: UPPER_CASE names for the stored lower-case statuses. */
export const ReturnStatusEnum = upperCaseEnumOf(RETURN_STATUSES);
registerEnumType(ReturnStatusEnum, {
  name: 'ReturnStatus',
  description: 'REQUESTED → APPROVED → RECEIVED → REFUNDED, or REQUESTED → REJECTED.',
});

@ObjectType('ReturnLine', { description: 'Units of one order line coming back.' })
export class ReturnLineNode {
  @Field(() => ID)
  orderLineId!: string;

  @Field()
  sku!: string;

  @Field(() => Int, { description: 'Units the customer asked to return.' })
  quantity!: number;

  @Field(() => Money)
  unitPrice!: Money;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => Int, { nullable: true, description: 'Units that arrived; set at receipt.' })
  receivedQuantity!: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether the units went back on hand; set at receipt.' })
  restock!: boolean | null;
}

@ObjectType('Return', { description: 'A return (RMA) of shipped units of one order.' })
export class ReturnNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  orderId!: string;

  @Field(() => ReturnStatusEnum)
  status!: ReturnStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true, description: 'The approval note or the rejection reason.' })
  decisionNote!: string | null;

  @Field(() => Money, {
    description:
      'What the units are worth (unit price × quantity): requested units until receipt, received ones after.',
  })
  refundAmount!: Money;

  @Field(() => Money, {
    nullable: true,
    description: 'What the payment port refunded (capped at what the payment still held).',
  })
  refundedAmount!: Money | null;

  @Field(() => String, { nullable: true })
  refundReference!: string | null;

  @Field(() => [ReturnLineNode])
  lines!: ReturnLineNode[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  receivedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  refundedAt!: Date | null;
}

@ObjectType({ description: 'A return after a change, with its order.' })
export class ReturnPayload {
  @Field(() => OrderNode)
  order!: OrderNode;

  @Field(() => ReturnNode)
  return!: ReturnNode;
}

export function returnPayloadOf(detail: ReturnDetail): ReturnPayload {
  return { order: orderNodeOf(detail.order), return: returnNodeOf(detail) };
}

/** The GraphQL Return of a return and its lines (the order is not needed). */
export function returnNodeOf({ returnRequest: r, lines }: Omit<ReturnDetail, 'order'>): ReturnNode {
  const money = (amount: number) => moneyOf(amount, r.currency);
  return {
    id: r.id,
    orderId: r.order.id,
    status: r.status,
    reason: r.reason ?? null,
    decisionNote: r.decisionNote ?? null,
    refundAmount: money(r.refundAmount),
    refundedAmount: r.refundedAmount === null || r.refundedAmount === undefined ? null : money(r.refundedAmount),
    refundReference: r.refundReference ?? null,
    lines: lines.map((l) => ({
      orderLineId: l.line.orderLineId,
      sku: l.sku,
      quantity: l.line.quantity,
      unitPrice: money(l.unitPriceAmount),
      reason: l.line.reason ?? null,
      receivedQuantity: l.line.receivedQuantity ?? null,
      restock: l.line.restock ?? null,
    })),
    createdAt: r.createdAt,
    decidedAt: r.decidedAt ?? null,
    receivedAt: r.receivedAt ?? null,
    refundedAt: r.refundedAt ?? null,
  };
}
