import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { Config } from '../../config/config.js';
import type { GraphQLContext } from '../context.js';
import { assertQueryCost } from './query-cost.js';

/** Largest document accepted, in lexical tokens. */
export const MAX_TOKENS = 5_000;

export interface QueryLimits {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<GraphQLContext>[];
}

/**
 * Abuse limits, all enforced before any resolver runs: depth, aliases, directives and tokens
 * as validation rules (graphql-armor), cost and page sizes once variables are known.
 * Field suggestions ("did you mean…") are hidden in production so the schema cannot be mined.
 */
export function queryLimits(config: Config['graphql'], isProduction: boolean): QueryLimits {
  const armor = new ApolloArmor({
    maxDepth: { n: config.maxDepth, exposeLimits: true },
    // graphql-armor exempts `__typename` aliases by default; they cost little each, but 1,600 of
    // them are still 1,600 result entries, so every alias counts.
    maxAliases: { n: config.maxAliases, exposeLimits: true, allowList: [] },
    maxDirectives: { n: 50, exposeLimits: true },
    maxTokens: { enabled: false }, // enforced by the parser itself (MAX_TOKENS), see graphql-server
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: isProduction },
  });
  const protection = armor.protect();
  const costPlugin: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          assertQueryCost(schema, document, request.variables, operationName, config.maxCost);
        },
      };
    },
  };
  return {
    validationRules: protection.validationRules,
    plugins: [...(protection.plugins as ApolloServerPlugin<GraphQLContext>[]), costPlugin],
  };
}
