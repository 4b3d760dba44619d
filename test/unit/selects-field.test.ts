import { describe, expect, it } from '@jest/globals';
import {
  Kind,
  parse,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from 'graphql';
import { selectsField } from '../../src/schema/common/selects-field.js';

/** The resolve info of the first root field of `query`, as far as selectsField reads it. */
function infoOf(query: string): GraphQLResolveInfo {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return {
    fieldNodes: [operation.selectionSet.selections[0] as FieldNode],
    fragments,
  } as unknown as GraphQLResolveInfo;
}

describe('selectsField', () => {
  it('sees a field selected directly, in an inline fragment or in a named fragment', () => {
    expect(selectsField(infoOf('{ orders(first: 1) { totalCount edges { cursor } } }'), 'totalCount')).toBe(true);
    expect(selectsField(infoOf('{ orders(first: 1) { ... on OrderConnection { totalCount } } }'), 'totalCount')).toBe(
      true,
    );
    expect(
      selectsField(
        infoOf('query { orders(first: 1) { ...F } } fragment F on OrderConnection { totalCount }'),
        'totalCount',
      ),
    ).toBe(true);
  });

  it('is false when the field is not asked for, even deeper down', () => {
    expect(selectsField(infoOf('{ orders(first: 1) { edges { node { totalCount: id } } } }'), 'totalCount')).toBe(
      false,
    );
    expect(selectsField(infoOf('{ orders(first: 1) { pageInfo { hasNextPage } } }'), 'totalCount')).toBe(false);
  });
});
