import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Query, Resolver } from 'type-graphql';
import { customerById, listCustomers } from '../../domain/orders/customer-query.service.js';
import { allowed } from '../auth/policy.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { CustomerConnection, CustomerNode, customerNodeOf } from './customer.types.js';
import { PageArgs } from '../common/page-args.js';

@ArgsType()
class CustomersArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive "contains" over email and name; at most 200 characters.',
  })
  search?: string | null;
}

@Resolver()
export class CustomerResolver {
  @Authorized(allowed('customer'))
  @Query(() => CustomerNode, {
    description: 'One customer; a channel-scoped key sees only customers who ordered on its channel.',
  })
  async customer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<CustomerNode> {
    return customerNodeOf(await customerById(operationContext(ctx), id));
  }

  @Authorized(allowed('customers'))
  @Query(() => CustomerConnection, { description: 'Customers, newest first.' })
  async customers(@Args() args: CustomersArgs, @Ctx() ctx: GraphQLContext): Promise<CustomerConnection> {
    return connectionOf(await listCustomers(operationContext(ctx), args), customerNodeOf);
  }
}
