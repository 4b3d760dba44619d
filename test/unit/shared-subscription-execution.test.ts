import { describe, expect, it } from '@jest/globals';
import { Repeater } from '@graphql-yoga/subscription';
import {
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type ExecutionResult,
} from 'graphql';
import type { Principal } from '../../src/domain/auth/principal.js';
import { SharedSubscriptionExecution } from '../../src/http/shared-subscription-execution.js';

/** A real graphql-js schema whose subscription counts how often its selection is executed. */
function harness() {
  const pushes = new Set<(event: { n: number }) => void>();
  let executions = 0;
  let sourcesEnded = 0;
  const Tick = new GraphQLObjectType({
    name: 'Tick',
    fields: {
      n: { type: new GraphQLNonNull(GraphQLInt) },
      label: {
        type: new GraphQLNonNull(GraphQLString),
        args: { prefix: { type: GraphQLString } },
        resolve: (root: { n: number }, args: { prefix?: string }, ctx: { role: string }) =>
          `${args.prefix ?? ''}${root.n}:${ctx.role}`,
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: new GraphQLNonNull(Tick),
          subscribe: () =>
            new Repeater<{ n: number }>(async (push, stop) => {
              const deliver = (event: { n: number }) => void push(event);
              pushes.add(deliver);
              await stop;
              pushes.delete(deliver);
              sourcesEnded++;
            }),
          resolve: (event: { n: number }) => {
            executions++;
            return event;
          },
        },
      },
    }),
  });
  return {
    schema,
    publish: (event: { n: number }) => {
      for (const push of pushes) push(event);
    },
    executions: () => executions,
    sourcesEnded: () => sourcesEnded,
    listeners: () => pushes.size,
  };
}

const principal = (role: Principal['role'], channelId: string | null = null): Principal => ({
  kind: 'api_key',
  id: `key-${role}-${channelId}`,
  name: role,
  role,
  channelId,
  keyPrefix: null,
});

const QUERY = 'subscription T($p: String) { ticks { n label(prefix: $p) } }';

async function subscribe(
  shared: SharedSubscriptionExecution,
  h: ReturnType<typeof harness>,
  who: Principal,
  variables: Record<string, unknown> = {},
) {
  const document = parse(QUERY);
  shared.register(document, { query: QUERY, variables }, who);
  const result = await shared.subscribe({
    schema: h.schema,
    document,
    variableValues: variables,
    contextValue: { role: who.role },
  });
  return (result as AsyncIterable<ExecutionResult>)[Symbol.asyncIterator]();
}

const settle = () => new Promise((r) => setImmediate(r));

describe('subscription execution shared between subscribers', () => {
  it('executes the selection once per event for subscribers who asked the same thing, and each gets the answer', async () => {
    const h = harness();
    const shared = new SharedSubscriptionExecution();
    const subs = await Promise.all([1, 2, 3].map(() => subscribe(shared, h, principal('ops'), { p: '#' })));
    const next = subs.map((s) => s.next());
    await settle();
    expect(h.listeners()).toBe(3);
    h.publish({ n: 7 });
    for (const pending of next) expect((await pending).value).toEqual({ data: { ticks: { n: 7, label: '#7:ops' } } });
    expect(h.executions()).toBe(1);

    const again = subs.map((s) => s.next());
    h.publish({ n: 8 });
    for (const pending of again) expect((await pending).value).toEqual({ data: { ticks: { n: 8, label: '#8:ops' } } });
    expect(h.executions()).toBe(2);
    for (const s of subs) await s.return?.();
  });

  it('executes separately for other variables, another role or another channel scope', async () => {
    const h = harness();
    const shared = new SharedSubscriptionExecution();
    const subs = [
      await subscribe(shared, h, principal('ops'), { p: 'a' }),
      await subscribe(shared, h, principal('ops'), { p: 'b' }),
      await subscribe(shared, h, principal('support'), { p: 'a' }),
      await subscribe(shared, h, principal('ops', 'shopify'), { p: 'a' }),
      await subscribe(shared, h, principal('ops'), { p: 'a' }),
    ];
    const next = subs.map((s) => s.next());
    await settle();
    h.publish({ n: 1 });
    const labels = [];
    for (const pending of next)
      labels.push(((await pending).value as ExecutionResult<{ ticks: { label: string } }>).data?.ticks.label);
    expect(labels).toEqual(['a1:ops', 'b1:ops', 'a1:support', 'a1:ops', 'a1:ops']);
    // The first and the last asked the same thing as the same kind of caller: four executions.
    expect(h.executions()).toBe(4);
    for (const s of subs) await s.return?.();
  });

  it('ends the event source when a subscriber leaves, and only that subscriber’s', async () => {
    const h = harness();
    const shared = new SharedSubscriptionExecution();
    const [a, b] = [await subscribe(shared, h, principal('ops')), await subscribe(shared, h, principal('ops'))];
    const nextB = b!.next();
    void a!.next();
    await settle();
    expect(h.listeners()).toBe(2);
    await a!.return?.();
    await settle();
    expect(h.sourcesEnded()).toBe(1);
    expect(h.listeners()).toBe(1);
    h.publish({ n: 5 });
    expect((await nextB).value).toEqual({ data: { ticks: { n: 5, label: '5:ops' } } });
    await b!.return?.();
    await settle();
    expect(h.listeners()).toBe(0);
  });

  it('answers a subscription that cannot start with its errors, as graphql-js does', async () => {
    const h = harness();
    const shared = new SharedSubscriptionExecution();
    const document = parse('subscription { ticks { n } }');
    const result = (await shared.subscribe({
      schema: h.schema,
      document,
      operationName: 'Missing',
    })) as ExecutionResult;
    expect(result.errors?.[0]?.message).toMatch(/Missing/);
  });
});
