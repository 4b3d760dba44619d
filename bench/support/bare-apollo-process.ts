import { freePort } from '../../src/platform/local-redis.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { postGraphQL } from './graphql-request.js';

export interface BareApolloProcess extends ChildServer {
  graphqlUrl: string;
}

/** The floor: Apollo Server 5 on express 5 with nothing in between, same NODE_ENV as the hub. */
export async function startBareApolloProcess(): Promise<BareApolloProcess> {
  const port = await freePort();
  const server = await startChildServer({
    name: 'bare Apollo Server',
    script: new URL('../bare-apollo-server.js', import.meta.url),
    args: [String(port)],
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    port,
    isReady: async (baseUrl) => (await postGraphQL(`${baseUrl}/graphql`, '{ hello }')).status === 200,
  });
  return { ...server, graphqlUrl: `${server.baseUrl}/graphql` };
}
