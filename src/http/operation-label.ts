import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

const META_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * The metrics label of a validated operation: its root field when it selects exactly one
 * (`orders`, `placeOrder`), `multiple` when it selects several, `other` when none is found.
 * Root fields are a finite set fixed by the schema; the client's operationName is not (made-up
 * names each added a time series), so it never becomes a label.
 */
export function operationLabel(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) {
  const rootFields = schema.getRootType(operation.operation)?.getFields() ?? {};
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const pending = [operation.selectionSet];
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (!(name in rootFields) && !META_FIELDS.has(name)) return 'other';
        names.add(name);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        pending.push(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) pending.push(fragment.selectionSet);
      }
    }
  }
  if (names.size > 1) return 'multiple';
  return names.values().next().value ?? 'other';
}
