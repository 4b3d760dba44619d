/**
 * A GraphQL enum object (for type-graphql's `registerEnumType`) whose names and values are the
 * domain's own list of values, so the schema and the domain cannot drift apart.
 */
export function enumOf<const T extends string>(values: readonly T[]): { [V in T]: V } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [V in T]: V };
}
