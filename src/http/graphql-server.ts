import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Request, RequestHandler } from 'express';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config/config.js';
import type { Principal } from '../domain/auth/principal.js';
import { DomainError } from '../domain/errors.js';
import type { Orm } from '../platform/database.js';
import { RequestContext, type GraphQLContext, type GraphQLServices } from '../schema/context.js';
import { asGraphQLError, formatError, isInternalError } from '../schema/errors/format-error.js';
import { MAX_TOKENS, queryLimits } from '../schema/limits/limits.js';
import { assertQueryCost } from '../schema/limits/query-cost.js';
import { requestShapeError } from '../schema/limits/request-shape.js';
import type { Metrics } from './metrics.js';
import { refuseBadRequestShape } from './request-shape.middleware.js';
import { SharedSubscriptionExecution } from './shared-subscription-execution.js';
import { SubscriptionSlots, type SocketSlots } from './subscription-slots.js';

export interface GraphQLEndpoint {
  middleware: RequestHandler;
  stop(): Promise<void>;
}

interface Deps {
  schema: GraphQLSchema;
  httpServer: Server;
  config: Config;
  orm: Orm;
  services: GraphQLServices;
  metrics: Metrics;
  logger: Logger;
}

/** An authentication failure as the GraphQL error clients expect, with HTTP 401. */
function unauthenticated(error: DomainError): GraphQLError {
  const status = error.code === 'FORBIDDEN' ? 403 : 401;
  // The details too: an admin's session held to enrolment says so (reason, the step to take).
  return new GraphQLError(error.message, { extensions: { ...error.details, code: error.code, http: { status } } });
}

/** Apollo Server over HTTP plus graphql-ws on the same path, sharing schema, limits and errors. */
export async function createGraphQLEndpoint(deps: Deps): Promise<GraphQLEndpoint> {
  const { schema, httpServer, config, orm, services, metrics, logger } = deps;
  const limits = queryLimits(config.graphql, config.isProduction);

  const contextFor = (principal: Principal | null, requestId: string): GraphQLContext =>
    new RequestContext(principal, requestId, services, orm, logger);

  // The socket gets the same rules as HTTP; in production also no introspection and no
  // "did you mean" hints (Apollo handles both itself for HTTP).
  const wsRules = [
    ...specifiedRules,
    ...limits.validationRules,
    ...(config.graphql.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  // Anything thrown before execution (a RangeError, a bug) is formatted too, so it becomes a
  // masked INTERNAL error for that operation instead of closing the socket with its message.
  const formatted = (errors: readonly unknown[]): GraphQLError[] =>
    errors.map((error) => {
      const e = asGraphQLError(error);
      const f = formatError(e.toJSON(), e);
      const message = config.isProduction ? f.message.replace(/ Did you mean .*\?$/, '') : f.message;
      return new GraphQLError(message, { extensions: f.extensions });
    });

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.http.bodyLimitBytes,
  });
  const sockets = new Map<string, Set<{ close(code: number, reason: string): void }>>();
  services.authenticator.onRevoked((keyId) => {
    // A revoked key's open sockets are closed too, not only its next request refused.
    // (A console user's id arrives here too when the user is deactivated or gets a new password.)
    for (const socket of sockets.get(keyId) ?? []) socket.close(4403, 'API key revoked');
  });
  const sharedExecution = new SharedSubscriptionExecution();
  const subscriptionSlots = new SubscriptionSlots({
    perSocket: config.graphql.maxSubscriptionsPerSocket,
    perKey: config.graphql.maxSubscriptionsPerKey,
  });
  const wsCleanup = useServer<
    Record<string, unknown>,
    { principal?: Principal; requestId?: string; subscriptions?: SocketSlots }
  >(
    {
      schema,
      subscribe: sharedExecution.subscribe,
      // The key travels in connection_init: { authorization: "Bearer <key>" }; a console session
      // by its cookie (sent with the upgrade) plus { csrfToken } in connection_init, so another
      // site's page cannot open a socket on the user's cookie. No credentials, no socket.
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const csrf = ctx.connectionParams?.csrfToken;
        try {
          const principal = await services.authenticator.authenticateRequest(
            {
              authorization: typeof raw === 'string' ? raw : undefined,
              cookie: ctx.extra.request.headers.cookie,
              'x-csrf-token': typeof csrf === 'string' ? csrf : undefined,
            },
            { csrf: true },
          );
          if (!principal) return false;
          ctx.extra.principal = principal;
          ctx.extra.requestId = randomUUID();
          const set = sockets.get(principal.id) ?? new Set();
          set.add(ctx.extra.socket);
          sockets.set(principal.id, set);
          return true;
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
      },
      onClose: (ctx) => {
        const principal = ctx.extra.principal;
        if (principal) sockets.get(principal.id)?.delete(ctx.extra.socket);
        if (principal && ctx.extra.subscriptions) subscriptionSlots.releaseAll(ctx.extra.subscriptions, principal.id);
      },
      onComplete: (ctx, id) => {
        const principal = ctx.extra.principal;
        if (principal && ctx.extra.subscriptions) subscriptionSlots.release(ctx.extra.subscriptions, principal.id, id);
      },
      onSubscribe: async (ctx, id, payload) => {
        try {
          const refused = requestShapeError(payload.query, payload.variables);
          if (refused) return formatted([refused]);
          const document = parse(payload.query, { maxTokens: MAX_TOKENS });
          const errors = validate(schema, document, wsRules);
          if (errors.length > 0) return formatted(errors);
          assertQueryCost(
            schema,
            document,
            payload.variables ?? undefined,
            payload.operationName,
            config.graphql.maxCost,
          );
          const principal = ctx.extra.principal ?? null;
          if (principal && getOperationAST(document, payload.operationName)?.operation === 'subscription') {
            const full = subscriptionSlots.take((ctx.extra.subscriptions ??= new Set()), principal.id, id);
            if (full) return formatted([full]);
          }
          sharedExecution.register(document, payload, principal);
          const args: ExecutionArgs = {
            schema,
            document,
            variableValues: payload.variables,
            operationName: payload.operationName,
            // One request id per operation, as over HTTP.
            contextValue: contextFor(principal, randomUUID()),
          };
          return args;
        } catch (error) {
          if (isInternalError(error)) logger.error({ err: error }, 'graphql-ws operation failed');
          return formatted([error]);
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return result;
        for (const e of result.errors) if (isInternalError(e)) logger.error({ err: e }, 'graphql-ws operation failed');
        return { ...result, errors: formatted(result.errors) };
      },
    },
    wsServer,
  );

  const errorLogging: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const e of errors)
            if (isInternalError(e))
              contextValue.logger.error({ err: e.originalError ?? e }, 'graphql operation failed');
        },
      };
    },
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.graphql.introspection,
    csrfPrevention: true,
    // Our own signal handling stops things in order; Apollo's would race it.
    stopOnTerminationSignals: false,
    // Token limit at parse time, so an oversized document is a 400 parse error, not a 500.
    parseOptions: { maxTokens: MAX_TOKENS },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    validationRules: limits.validationRules,
    formatError,
    plugins: [
      // No field-level cache hints are used; skipping them spares a hook on every field.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads its scripts from a CDN; browsers are sent to the console's
      // bundled GraphiQL instead (src/http/app.ts).
      ApolloServerPluginLandingPageDisabled(),
      ...limits.plugins,
      metrics.graphqlPlugin<GraphQLContext>(),
      errorLogging,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const apolloMiddleware = expressMiddleware(apollo, {
    context: async ({ req }: { req: Request }) => {
      const requestId = req.id;
      try {
        const principal = await services.authenticator.authenticateRequest(req.headers, { csrf: true });
        return contextFor(principal, requestId);
      } catch (error) {
        if (error instanceof DomainError) throw unauthenticated(error);
        throw error;
      }
    },
  });

  const middleware: RequestHandler = (req, res, next) =>
    refuseBadRequestShape(req, res, () => void apolloMiddleware(req, res, next));

  return {
    middleware,
    stop: () => apollo.stop(),
  };
}
