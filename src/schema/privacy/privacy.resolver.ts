import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { eraseCustomer } from '../../domain/privacy/erase-customer.js';
import { exportCustomerData } from '../../domain/privacy/export-customer-data.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { CustomerNode, customerNodeOf } from '../orders/customer.types.js';

/** Data-subject requests (GDPR): export and erasure, both audited. */
@Resolver()
export class PrivacyResolver {
  @Authorized(allowed('exportCustomerData'))
  @Mutation(() => GraphQLJSONObject, {
    description:
      'Everything held about a customer (customer, orders with lines, addresses, timeline, shipments, returns) as JSON; audited. ' +
      'A channel-scoped key may export only customers whose orders are all on its channel (else FORBIDDEN).',
  })
  async exportCustomerData(
    @Arg('customerId', () => ID) customerId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Record<string, unknown>> {
    return exportCustomerData(operationContext(ctx), customerId);
  }

  @Authorized(allowed('eraseCustomer'))
  @Mutation(() => CustomerNode, {
    description:
      'Erases a customer’s personal data, keeping their orders anonymised (email removed, shipping address reduced to its country); ' +
      'idempotent and audited. Same channel rule as exportCustomerData.',
  })
  async eraseCustomer(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('reason', {
      description: 'Why (e.g. the request reference); at most 500 characters, stored without the erased values.',
    })
    reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CustomerNode> {
    return customerNodeOf(await eraseCustomer(operationContext(ctx), customerId, reason));
  }
}
