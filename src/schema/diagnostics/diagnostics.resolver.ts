import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { getDiagnosticPing, requestDiagnosticPing } from '../../domain/diagnostics/diagnostics.service.js';
import { allowed } from '../auth/policy.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { DiagnosticPingNode, pingNodeOf } from './diagnostics.types.js';

@Resolver()
export class DiagnosticsResolver {
  @Authorized(allowed('requestDiagnosticPing'))
  @Mutation(() => DiagnosticPingNode, {
    description: 'Sends a ping through the job queue; poll diagnosticPing to see a worker finish it.',
  })
  async requestDiagnosticPing(
    @Arg('delayMs', () => Int, { defaultValue: 0, description: 'How long the worker holds the job, 0 to 60000 ms.' })
    delayMs: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DiagnosticPingNode> {
    return pingNodeOf(await requestDiagnosticPing(operationContext(ctx), ctx.services.pingDispatcher, delayMs));
  }

  @Authorized(allowed('diagnosticPing'))
  @Query(() => DiagnosticPingNode)
  async diagnosticPing(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DiagnosticPingNode> {
    return pingNodeOf(await getDiagnosticPing(operationContext(ctx), id));
  }
}
