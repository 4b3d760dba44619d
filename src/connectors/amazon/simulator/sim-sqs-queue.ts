import { createHash, randomUUID } from 'node:crypto';

/** One message as the stand-in holds it. */
export interface SimSqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAt: number;
  /** Hidden until then: a delay, or the visibility timeout of the receive that holds it. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | null;
  /** The receipt handle of the latest receive (null until received). */
  receiptHandle: string | null;
}

export interface SimSqsQueueOptions {
  /** The queue's default visibility timeout, seconds (SQS: 30). */
  visibilityTimeoutSeconds?: number;
  /** With `deadLetterQueue`: a message received this many times moves there on its next receive. */
  maxReceiveCount?: number;
  deadLetterQueue?: SimSqsQueue;
}

export type QueueRefusal = 'ReceiptHandleIsInvalid' | 'MessageNotInflight';

/**
 * One standard SQS queue's state, as SQS keeps it: messages in arrival order, each hidden for its
 * visibility timeout after a receive and visible again if not deleted by then, a new receipt
 * handle per receive, ApproximateReceiveCount, and the redrive policy (to a dead-letter queue
 * after maxReceiveCount receives). Standard queues promise neither order nor a single delivery:
 * tests reproduce both with `send` order and `duplicate`.
 */
export class SimSqsQueue {
  private readonly messages: SimSqsMessage[] = [];
  /** Receipt handles ever issued → message id (a stale handle is still a known one). */
  private readonly handles = new Map<string, string>();
  private readonly waiters = new Set<() => void>();
  /** Messages deleted so far, by id (each once, however many copies existed). */
  readonly deleted: string[] = [];
  readonly visibilityTimeoutSeconds: number;

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly now: () => number,
    private readonly options: SimSqsQueueOptions = {},
  ) {
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  }

  send(body: string, delaySeconds = 0): SimSqsMessage {
    const message: SimSqsMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      sentAt: this.now(),
      visibleAt: this.now() + delaySeconds * 1000,
      receiveCount: 0,
      firstReceivedAt: null,
      receiptHandle: null,
    };
    this.messages.push(message);
    this.wake();
    return message;
  }

  /**
   * Delivers a message again, as SQS's at-least-once delivery may: a second copy with the same
   * MessageId and body, visible now, while the first stays where it is.
   */
  duplicate(messageId: string): SimSqsMessage {
    const original = this.messages.find((m) => m.messageId === messageId);
    if (!original) throw new Error(`queue ${this.name} has no message ${messageId}`);
    const copy: SimSqsMessage = {
      ...original,
      visibleAt: this.now(),
      receiveCount: 0,
      firstReceivedAt: null,
      receiptHandle: null,
    };
    this.messages.push(copy);
    this.wake();
    return copy;
  }

  /** Up to `max` visible messages, oldest first, each hidden for `visibilitySeconds` under a new handle. */
  receive(max: number, visibilitySeconds = this.visibilityTimeoutSeconds): SimSqsMessage[] {
    const now = this.now();
    const out: SimSqsMessage[] = [];
    for (const message of [...this.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      const { maxReceiveCount, deadLetterQueue } = this.options;
      if (deadLetterQueue && maxReceiveCount !== undefined && message.receiveCount >= maxReceiveCount) {
        // SQS moves it on the receive after the last allowed one, keeping its id and body.
        this.remove(message);
        deadLetterQueue.adopt(message);
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receiptHandle = `${Buffer.from(randomUUID()).toString('base64url')}.${message.messageId}`;
      this.handles.set(message.receiptHandle, message.messageId);
      message.visibleAt = now + visibilitySeconds * 1000;
      out.push({ ...message });
    }
    return out;
  }

  /**
   * Deletes the message a receipt handle was issued for. A handle SQS never issued is refused;
   * deleting a message already gone succeeds (SQS: idempotent). Every copy of the message goes.
   */
  delete(receiptHandle: string): QueueRefusal | null {
    const messageId = this.handles.get(receiptHandle);
    if (!messageId) return 'ReceiptHandleIsInvalid';
    const copies = this.messages.filter((m) => m.messageId === messageId);
    if (copies.length === 0) return null;
    for (const copy of copies) this.remove(copy);
    this.deleted.push(messageId);
    return null;
  }

  /** A new visibility timeout for a message in flight, from now (0: visible at once). */
  changeVisibility(receiptHandle: string, seconds: number): QueueRefusal | null {
    const messageId = this.handles.get(receiptHandle);
    if (!messageId) return 'ReceiptHandleIsInvalid';
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message || message.visibleAt <= this.now()) return 'MessageNotInflight';
    message.visibleAt = this.now() + seconds * 1000;
    if (seconds === 0) this.wake();
    return null;
  }

  /** The messages still in the queue (visible, delayed or in flight), oldest first. */
  snapshot(): SimSqsMessage[] {
    return this.messages.map((m) => ({ ...m }));
  }

  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiptHandle) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Earliest time a hidden message becomes visible, or null. */
  nextVisibleAt(): number | null {
    const now = this.now();
    let next: number | null = null;
    for (const m of this.messages) if (m.visibleAt > now && (next === null || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Resolves when a message may have become visible (a send, a visibility set to 0). */
  onChange(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  private adopt(message: SimSqsMessage): void {
    this.messages.push({ ...message, visibleAt: this.now(), receiveCount: 0, receiptHandle: null });
    this.wake();
  }

  private remove(message: SimSqsMessage): void {
    const index = this.messages.indexOf(message);
    if (index >= 0) this.messages.splice(index, 1);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
