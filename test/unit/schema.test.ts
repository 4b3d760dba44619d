import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { getMetadataStorage } from 'type-graphql';
import { POLICY } from '../../src/schema/auth/policy.js';
import { buildGraphQLSchema, renderSchemaSDL } from '../../src/schema/build-schema.js';

describe('GraphQL schema', () => {
  it('matches the committed schema.graphql (run "npm run schema:emit" after an API change)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(renderSchemaSDL(await buildGraphQLSchema())).toBe(committed);
  });

  it('declares in the policy file who may call every root operation, and resolvers use it', async () => {
    const schema = await buildGraphQLSchema();
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const rootFields = roots.flatMap((t) => (t ? Object.keys(t.getFields()) : [])).sort();
    expect(rootFields).toEqual(Object.keys(POLICY).sort());
    const authorized = new Map(getMetadataStorage().authorizedFields.map((a) => [a.fieldName, a.roles]));
    for (const field of rootFields) {
      expect({ field, roles: authorized.get(field) }).toEqual({
        field,
        roles: [...POLICY[field as keyof typeof POLICY]],
      });
    }
  });
});
