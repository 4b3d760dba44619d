import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { resetTwoFactor } from '../../domain/users/two-factor.service.js';
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
    const user = await updateUser(operationContext(ctx), id, input);
    // A new password ends the user's sessions; their open sockets close too, on every API process.
    if (input.password != null) await ctx.services.authenticator.revoked(user.id);
    return userNodeOf(user);
  }

  @Authorized(allowed('deactivateUser'))
  @Mutation(() => UserNode, { description: 'Deactivates a user (they can no longer sign in); idempotent.' })
  async deactivateUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<UserNode> {
    const user = await deactivateUser(operationContext(ctx), id);
    await ctx.services.authenticator.revoked(user.id);
    return userNodeOf(user);
  }

  @Authorized(allowed('resetTwoFactor'))
  @Mutation(() => UserNode, {
    description:
      'Turns another user’s two-factor sign-in off (a lost phone) and ends their sessions; an admin must enrol again at their next sign-in. Audited. Failures: BAD_USER_INPUT (yourself), NOT_FOUND.',
  })
  async resetTwoFactor(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<UserNode> {
    const user = await resetTwoFactor(operationContext(ctx), id);
    // Their sessions ended: their open sockets close too, on every API process.
    await ctx.services.authenticator.revoked(user.id);
    return userNodeOf(user);
  }
}
