/** One GraphQL POST as the load generator will send it, for setup and for checking answers. */
export interface GraphQLResponse {
  status: number;
  /** The raw body, compared byte for byte with every response under load. */
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string }[] } | undefined;
}

export function graphqlHeaders(token?: string): Record<string, string> {
  return token
    ? { 'content-type': 'application/json', authorization: `Bearer ${token}` }
    : { 'content-type': 'application/json' };
}

export function graphqlBody(query: string, variables?: Record<string, unknown>): string {
  return JSON.stringify(variables ? { query, variables } : { query });
}

export async function postGraphQL(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<GraphQLResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: graphqlHeaders(options.token),
    body: graphqlBody(query, options.variables),
  });
  const text = await res.text();
  let json: GraphQLResponse['json'];
  try {
    json = JSON.parse(text) as GraphQLResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The `data` of a successful answer; throws with the body otherwise, so setup fails loudly. */
export function dataOf(what: string, res: GraphQLResponse): Record<string, unknown> {
  if (res.status !== 200 || !res.json?.data || res.json.errors?.length) {
    throw new Error(`${what} failed: HTTP ${res.status} ${res.text.slice(0, 500)}`);
  }
  return res.json.data;
}
