import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../src/domain/errors.js';
import type { OutboxMessage } from '../../src/domain/outbox/outbox-message.js';
import { createEventPubSub } from '../../src/schema/events/event-pubsub.js';

const message = (id: number): OutboxMessage => ({
  id,
  topic: 'stock.low',
  aggregateId: 'v1',
  payload: { n: id },
  createdAt: new Date(0).toISOString(),
});

describe('the event feed subscriptions read', () => {
  it('delivers each event id once per subscription, in arrival order, and only its topic', async () => {
    const feed = createEventPubSub();
    const it = feed.subscribe('stock.low')[Symbol.asyncIterator]();
    const first = it.next();
    for (const id of [1, 2, 1, 3, 2]) feed.publish('stock.low', message(id));
    feed.publish('stock.level_changed', message(4));
    const ids = [(await first).value.id];
    for (let i = 0; i < 2; i++) ids.push((await it.next()).value.id);
    expect(ids).toEqual([1, 2, 3]);
    await it.return?.();
  });

  it('listens once per channel however many subscribe, delivers each id once to each, and stops listening when the last leaves', async () => {
    const target = new EventTarget();
    let listening = 0;
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => {
      listening++;
      add(...args);
    };
    target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => {
      listening--;
      remove(...args);
    };
    const feed = createEventPubSub({ eventTarget: target });
    const subscribers = [1, 2, 3].map(() => feed.subscribe('stock.low')[Symbol.asyncIterator]());
    const firsts = subscribers.map((s) => s.next());
    await new Promise((r) => setImmediate(r));
    expect(listening).toBe(1);
    for (const id of [1, 1, 2]) feed.publish('stock.low', message(id));
    for (const [i, s] of subscribers.entries()) {
      expect((await firsts[i]!).value.id).toBe(1);
      expect((await s.next()).value.id).toBe(2);
    }
    for (const s of subscribers) await s.return?.();
    expect(listening).toBe(0);
    // A later subscriber gets a fresh listener.
    const late = feed.subscribe('stock.low')[Symbol.asyncIterator]();
    const next = late.next();
    await new Promise((r) => setImmediate(r));
    feed.publish('stock.low', message(3));
    expect((await next).value.id).toBe(3);
    expect(listening).toBe(1);
    await late.return?.();
    expect(listening).toBe(0);
  });

  it('ignores anything that is not an outbox message', async () => {
    const target = new EventTarget();
    const feed = createEventPubSub({ eventTarget: target });
    const it = feed.subscribe('stock.low')[Symbol.asyncIterator]();
    const next = it.next();
    target.dispatchEvent(new CustomEvent('stock.low', { detail: null }));
    target.dispatchEvent(new CustomEvent('stock.low', { detail: { id: 'x' } }));
    feed.publish('stock.low', message(7));
    expect((await next).value.id).toBe(7);
    await it.return?.();
  });

  it('ends a subscription whose client stops reading with UNAVAILABLE instead of buffering without bound', async () => {
    const feed = createEventPubSub({ maxPending: 10 });
    const it = feed.subscribe('stock.low')[Symbol.asyncIterator]();
    const first = it.next();
    for (let id = 1; id <= 50; id++) feed.publish('stock.low', message(id));
    expect((await first).value.id).toBe(1);
    let delivered = 1;
    let error: unknown;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        delivered++;
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('UNAVAILABLE');
    expect(delivered).toBeLessThanOrEqual(12);
  });

  it('stops listening once the subscription is returned', async () => {
    const target = new EventTarget();
    let listeners = 0;
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => (listeners++, add(...args));
    target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => (
      listeners--,
      remove(...args)
    );
    const feed = createEventPubSub({ eventTarget: target });
    const it = feed.subscribe('stock.low')[Symbol.asyncIterator]();
    const next = it.next();
    feed.publish('stock.low', message(1));
    await next;
    expect(listeners).toBe(1);
    await it.return?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(listeners).toBe(0);
  });
  it('queues only the messages a subscription keeps, so dropped ones never count against its limit', async () => {
    const feed = createEventPubSub({ maxPending: 3 });
    const even = feed.subscribe('stock.low', (m) => m.id % 2 === 0)[Symbol.asyncIterator]();
    const first = even.next();
    await new Promise((r) => setImmediate(r));
    // Seven messages while nobody reads: the odd ones are never queued, so 2, 4 and 6 fill the
    // limit of 3 exactly and the subscription lives (all seven queued would have ended it).
    for (let id = 1; id <= 7; id++) feed.publish('stock.low', message(id));
    expect((await first).value.id).toBe(2);
    expect((await even.next()).value.id).toBe(4);
    expect((await even.next()).value.id).toBe(6);
    await even.return?.();
  });
});
