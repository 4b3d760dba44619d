/**
 * A GraphQL enum object (for type-graphql's `registerEnumType`) whose names and values are the
 * domain's own list of values, so the schema and the domain cannot drift apart.
 */
export function enumOf<const T extends string>(values: readonly T[]): { [V in T]: V } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [V in T]: V };
}

/**
 * A GraphQL enum object for a domain list stored in lower case (`read_only`, `in_store`): the
 * schema shows the UPPER_CASE names every GraphQL enum uses (READ_ONLY, IN_STORE), the resolvers
 * and the database keep the stored values. Built from the domain's list, so the two cannot drift.
 */
export function upperCaseEnumOf<const T extends string>(values: readonly T[]): { [V in T as Uppercase<V>]: V } {
  return Object.fromEntries(values.map((v) => [v.toUpperCase(), v])) as { [V in T as Uppercase<V>]: V };
}

/** The GraphQL name of a stored value of an `upperCaseEnumOf` enum, for messages a client reads. */
export function graphqlEnumName(value: string): string {
  return value.toUpperCase();
}
