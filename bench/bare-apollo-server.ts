import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/**
 * The benchmark floor: express 5 + Apollo Server 5 with defaults, answering `{ hello }`.
 * No auth, logging, limits or metrics: the hub's overhead is measured against this.
 * Usage: node dist/bench/bare-apollo-server.js <port>   (or PORT=<port>)
 */
const port = Number(process.argv[2] ?? process.env.PORT ?? 4001);

const apollo = new ApolloServer({
  typeDefs: 'type Query { hello: String }',
  resolvers: { Query: { hello: () => 'world' } },
});
await apollo.start();

const app = express();
app.use('/graphql', express.json(), expressMiddleware(apollo));
app.listen(port, '127.0.0.1', () =>
  process.stdout.write(`bare Apollo Server listening on http://127.0.0.1:${port}/graphql\n`),
);
