import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { PaymentGatewayError } from '../../domain/payments/payment-gateway.js';
import type { GraphQLContext } from '../context.js';
import { PaymentSummaryNode } from './payment-summary.types.js';

@Resolver(() => PaymentSummaryNode)
export class PaymentSummaryResolver {
  /**
   * Read from the gateway when asked, never stored: it lets whoever holds it confirm the payment,
   * so the hub keeps no copy. Null once the customer has nothing left to do.
   */
  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Card, while the customer must still act (REQUIRES_PAYMENT_METHOD, DECLINED, REQUIRES_ACTION): the client secret a storefront confirms the payment with (Stripe.js). Read from the gateway on each request; null otherwise.',
  })
  async clientSecret(@Root() payment: PaymentSummaryNode, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    const intent = payment.cardIntent;
    if (!intent?.needsCustomer) return null;
    const gateway = ctx.services.paymentGateway;
    if (!gateway || gateway.id !== payment.provider)
      throw new DomainError(ErrorCode.UNAVAILABLE, `The ${payment.provider} gateway is not configured on this process`);
    try {
      return (await gateway.retrieveIntent(intent.id)).clientSecret;
    } catch (error) {
      if (!(error instanceof PaymentGatewayError)) throw error;
      throw new DomainError(
        ErrorCode.UNAVAILABLE,
        `Could not read the payment from ${payment.provider} (${error.kind}); try again shortly`,
      );
    }
  }
}
