import { startBenchServices } from './support/bench-services.js';
import type { BenchContext, BenchOutcome } from './support/benchmark.js';
import { startBareApolloProcess } from './support/bare-apollo-process.js';
import { dataOf, graphqlBody, graphqlHeaders, postGraphQL } from './support/graphql-request.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { loadProblem, loadWarning, measureLoad, type LoadFigures, type LoadSpec } from './support/load.js';

const ME_QUERY = '{ me { id role } }';
const HELLO_QUERY = '{ hello }';
const CONNECTIONS = [1, 50] as const;
const TARGET_CONNECTIONS = 50;
const REQUIRED_RATIO = 0.7;

const CREATE_KEY = `mutation CreateKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id prefix role } }
}`;

/** A real read_only key made through the API, so requests take the hashed-key lookup (and its cache). */
async function createReadOnlyKey(hub: HubProcess): Promise<{ id: string; prefix: string; token: string }> {
  const res = await postGraphQL(hub.graphqlUrl, CREATE_KEY, {
    token: hub.adminKey,
    variables: { input: { name: 'benchmark me', role: 'READ_ONLY' } },
  });
  const payload = dataOf('createApiKey', res).createApiKey as { key: string; apiKey: { id: string; prefix: string } };
  return { id: payload.apiKey.id, prefix: payload.apiKey.prefix, token: payload.key };
}

/** Asks once and checks the answer; its exact body is then expected from every request under load. */
async function expectedBody(
  what: string,
  url: string,
  query: string,
  token: string | undefined,
  check: (data: Record<string, unknown>) => boolean,
): Promise<string> {
  const first = await postGraphQL(url, query, token ? { token } : {});
  if (!check(dataOf(what, first))) throw new Error(`${what} answered wrongly: ${first.text}`);
  const second = await postGraphQL(url, query, token ? { token } : {});
  if (second.text !== first.text) {
    throw new Error(`${what} does not answer the same body twice: ${first.text} vs ${second.text}`);
  }
  return first.text;
}

interface Row extends LoadFigures {
  server: 'hub' | 'bare-apollo';
  query: string;
}

/**
 * Authenticated `{ me { id role } }` on the hub beside `{ hello }` on a bare Apollo Server,
 * both child processes on this machine, loaded alternately from this process by autocannon.
 */
export async function meBenchmark(ctx: BenchContext): Promise<BenchOutcome> {
  const { services, database } = await startBenchServices(ctx);

  ctx.log('starting the hub and the bare Apollo Server');
  const hub = await startHubProcess({ databaseUrl: database.url, redisUrl: services.redisUrl });
  ctx.defer('hub process', () => hub.stop());
  const bare = await startBareApolloProcess();
  ctx.defer('bare Apollo Server process', () => bare.stop());

  const key = await createReadOnlyKey(hub);
  const meBody = await expectedBody('hub me', hub.graphqlUrl, ME_QUERY, key.token, (data) => {
    const me = data.me as { id?: unknown; role?: unknown } | undefined;
    return me?.role === 'READ_ONLY' && me.id === key.id;
  });
  const helloBody = await expectedBody(
    'bare hello',
    bare.graphqlUrl,
    HELLO_QUERY,
    undefined,
    (data) => data.hello === 'world',
  );

  const targets = [
    {
      server: 'bare-apollo',
      query: HELLO_QUERY,
      pid: bare.pid,
      spec: { url: bare.graphqlUrl, headers: graphqlHeaders(), body: graphqlBody(HELLO_QUERY), expectBody: helloBody },
    },
    {
      server: 'hub',
      query: ME_QUERY,
      pid: hub.pid,
      spec: {
        url: hub.graphqlUrl,
        headers: graphqlHeaders(key.token),
        body: graphqlBody(ME_QUERY),
        expectBody: meBody,
      },
    },
  ] as const;

  const results: Row[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  // Alternating servers at each concurrency keeps both sides of a ratio close in time, since this machine drifts.
  for (const connections of CONNECTIONS) {
    for (const target of targets) {
      ctx.log(
        `${target.server}: ${connections} connection(s), ${ctx.settings.warmupS} s warm-up + ${ctx.settings.durationS} s`,
      );
      const spec: LoadSpec = { ...target.spec, connections, durationS: ctx.settings.durationS };
      const figures = await measureLoad(spec, ctx.settings.warmupS, target.pid);
      results.push({ server: target.server, query: target.query, ...figures });
      const label = `${target.server} at ${connections} connection(s)`;
      const problem = loadProblem(label, figures);
      if (problem) problems.push(problem);
      const warning = loadWarning(label, figures);
      if (warning) warnings.push(warning);
    }
  }

  const at = (server: Row['server']) =>
    results.find((r) => r.server === server && r.connections === TARGET_CONNECTIONS)!;
  const ratio = Math.round((at('hub').requestsPerSecond / at('bare-apollo').requestsPerSecond) * 1000) / 1000;
  return {
    description:
      'Authenticated GraphQL round trips of { me { id role } } on the hub, against { hello } on a bare Apollo Server 5 in the same run.',
    setup: {
      hub: {
        command: 'node dist/src/main.js api',
        ...hub.settings,
        otherSettings: 'defaults (AUTH_CACHE_TTL_MS 30000, DB_POOL_MAX 10)',
        apiKey: { role: 'READ_ONLY', prefix: key.prefix },
      },
      bare: { command: 'node dist/bench/bare-apollo-server.js <port>', NODE_ENV: 'production' },
      load: {
        tool: 'autocannon 9 (in the benchmark process)',
        method: 'POST /graphql, content-type application/json',
        pipelining: 1,
        connections: CONNECTIONS,
      },
      services: 'throwaway PostgreSQL (fsync off) and redis-server on loopback, from test/support/services.ts',
    },
    results,
    target: {
      description: `hub req/s at ${TARGET_CONNECTIONS} clients ≥ ${REQUIRED_RATIO} × bare Apollo Server req/s at ${TARGET_CONNECTIONS} clients`,
      ratio,
      required: REQUIRED_RATIO,
      met: ratio >= REQUIRED_RATIO,
    },
    problems,
    warnings,
  };
}
