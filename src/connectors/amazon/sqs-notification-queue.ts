import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * How the hub reaches SQS (settings, read once): the AWS credentials of the IAM user or role that
 * may receive from and delete on the notification queues, the region when a queue URL does not
 * say it, and an endpoint override (the local stand-in). Without keys the AWS SDK's default chain
 * applies (instance or task role).
 */
export interface SqsSettings {
  region: string;
  endpoint: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** Long poll per ReceiveMessage, seconds (SQS: at most 20). */
  waitSeconds: number;
  /** How long a received message stays hidden from other pollers while it is stored, seconds. */
  visibilitySeconds: number;
  /** Per call (a receive adds its wait); the SDK's attempts each get this long. */
  timeoutMs: number;
}

/** One message as the poller needs it. */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** ApproximateReceiveCount: 1 the first time, more when it came back (not deleted in time). */
  receiveCount: number;
}

/** SQS attempts per call (the SDK's standard retry: 5xx, throttling, network errors, with backoff). */
export const SQS_MAX_ATTEMPTS = 3;

/**
 * One SQS queue through @aws-sdk/client-sqs, with a timeout on every call (an abort signal, also
 * tied to the caller's stop) and the SDK's standard retry policy (SQS_MAX_ATTEMPTS). Receive,
 * delete and release are all safe to repeat: a repeated receive hands out other messages or the
 * same ones again (dedupe is the inbox's job), a repeated delete is a no-op, a release sets a
 * timeout again.
 */
export class SqsNotificationQueue {
  private readonly client: SQSClient;

  constructor(
    readonly queueUrl: string,
    private readonly settings: SqsSettings,
  ) {
    this.client = new SQSClient({
      region: regionOf(queueUrl) ?? settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
      maxAttempts: SQS_MAX_ATTEMPTS,
      requestHandler: { connectionTimeout: Math.min(5_000, settings.timeoutMs) },
    });
  }

  /** Long-polls for up to 10 messages; `stop` aborts the wait (nothing is then handed out). */
  async receive(stop: AbortSignal): Promise<QueueMessage[]> {
    const { waitSeconds, visibilitySeconds, timeoutMs } = this.settings;
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: AbortSignal.any([stop, AbortSignal.timeout(waitSeconds * 1000 + timeoutMs)]) },
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.MessageId && m.ReceiptHandle
        ? [
            {
              messageId: m.MessageId,
              receiptHandle: m.ReceiptHandle,
              body: m.Body ?? '',
              receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
            },
          ]
        : [],
    );
  }

  /** Deletes a handled message (only ever after its delivery is stored). */
  async delete(receiptHandle: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }), {
      abortSignal: AbortSignal.timeout(this.settings.timeoutMs),
    });
  }

  /** Hides a message that cannot be handled now for `seconds` (it then comes back, or goes to the DLQ). */
  async release(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
      { abortSignal: AbortSignal.timeout(this.settings.timeoutMs) },
    );
  }

  close(): void {
    this.client.destroy();
  }
}

/** The region in an AWS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`), or null for others. */
export function regionOf(queueUrl: string): string | null {
  try {
    const host = new URL(queueUrl).hostname;
    const m =
      /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host) ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com$/.exec(host);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}
