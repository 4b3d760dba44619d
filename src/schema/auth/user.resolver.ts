import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { createUser, deactivateUser, listUsers, updateUser } from '../../domain/users/user.service.js';
import { PageArgs } from '../common/page-args.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { allowed } from './policy.js';
import { CreateUserInput, UpdateUserInput, UserConnection, UserNode, userNodeOf } from './user.types.js';

@ArgsType()
class UsersArgs extends PageArgs {
  @Field({ defaultValue: false })
  includeDeactivated!: boolean;
}

@Resolver()
export class UserResolver {
  @Authorized(allowed('users'))
  @Query(() => UserConnection, { description: 'Console users, newest first.' })
  async users(@Args() args: UsersArgs, @Ctx() ctx: GraphQLContext): Promise<UserConnection> {
    return connectionOf(await listUsers(operationContext(ctx), args), userNodeOf);
  }

  @Authorized(allowed('createUser'))
  @Mutation(() => UserNode, {
    description: 'Creates a console user with an initial password. Failures: BAD_USER_INPUT, CONFLICT (email taken).',
  })
  async createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<UserNode> {
    return userNodeOf(await createUser(operationContext(ctx), input));
  }

  @Authorized(allowed('updateUser'))
  @Mutation(() => UserNode, {
    description: 'Changes a user’s name, role, channel scope or password; every change is audited.',
  })
  async updateUser(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserNode> {
    return userNodeOf(await updateUser(operationContext(ctx), id, input));
  }

  @Authorized(allowed('deactivateUser'))
  @Mutation(() => UserNode, { description: 'Deactivates a user (they can no longer sign in); idempotent.' })
  async deactivateUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<UserNode> {
    return userNodeOf(await deactivateUser(operationContext(ctx), id));
  }
}
