import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from './auth/api-key.resolver.js';
import { authChecker } from './auth/auth-checker.js';
import { DiagnosticsResolver } from './diagnostics/diagnostics.resolver.js';

export const resolvers = [ApiKeyResolver, DiagnosticsResolver] as const;

export async function buildGraphQLSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, authChecker, authMode: 'error' });
}

/** The SDL committed as schema.graphql: sorted, so reviews show real API changes only. */
export function renderSchemaSDL(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
