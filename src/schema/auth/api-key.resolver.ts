import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { createApiKey, listApiKeys, revokeApiKey } from '../../domain/auth/api-key.service.js';
import { connectionOf } from '../common/page-info.type.js';
import { allowed } from './policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import {
  ApiKeyConnection,
  apiKeyNodeOf,
  ApiKeyNode,
  CreateApiKeyInput,
  CreateApiKeyPayload,
  Me,
  meOf,
} from './auth.types.js';
import { PageArgs } from '../common/page-args.js';

@ArgsType()
class ApiKeysArgs extends PageArgs {
  @Field({ defaultValue: false })
  includeRevoked!: boolean;
}

@Resolver()
export class ApiKeyResolver {
  @Authorized(allowed('me'))
  @Query(() => Me, { description: 'The caller: which key, which role, which channel scope.' })
  me(@Ctx() ctx: GraphQLContext): Me {
    return meOf(operationContext(ctx).actor);
  }

  @Authorized(allowed('apiKeys'))
  @Query(() => ApiKeyConnection, { description: 'API keys, newest first.' })
  async apiKeys(@Args() args: ApiKeysArgs, @Ctx() ctx: GraphQLContext): Promise<ApiKeyConnection> {
    return connectionOf(await listApiKeys(operationContext(ctx), args), apiKeyNodeOf);
  }

  @Authorized(allowed('createApiKey'))
  @Mutation(() => CreateApiKeyPayload, { description: 'Creates a key; the returned `key` is shown only this once.' })
  async createApiKey(@Arg('input') input: CreateApiKeyInput, @Ctx() ctx: GraphQLContext): Promise<CreateApiKeyPayload> {
    const { apiKey, token } = await createApiKey(operationContext(ctx), input);
    return { apiKey: apiKeyNodeOf(apiKey), key: token };
  }

  @Authorized(allowed('revokeApiKey'))
  @Mutation(() => ApiKeyNode, { description: 'Revokes a key at once on every API process; idempotent.' })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiKeyNode> {
    const apiKey = await revokeApiKey(operationContext(ctx), id);
    await ctx.services.authenticator.revoked(apiKey.id);
    return apiKeyNodeOf(apiKey);
  }
}
