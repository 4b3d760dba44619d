import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { SqsSimulator } from '../../src/connectors/amazon/simulator/sqs-simulator.js';
import { AMAZON_FIXTURES } from '../support/fixtures.js';

/*
 * The SQS stand-in against the real @aws-sdk/client-sqs client (AWS JSON 1.0 over HTTP on
 * loopback): what the SDK sends, the stand-in answers, and the SDK accepts (body MD5s included).
 */

const EXAMPLE = readFileSync(new URL('order-change-notification.example.json', AMAZON_FIXTURES), 'utf8');
const KEY = 'AKIASTANDIN000000001';

let sim: SqsSimulator;
let sqs: SQSClient;

beforeAll(async () => {
  sim = new SqsSimulator({ accessKeyId: KEY });
  await sim.start();
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: { accessKeyId: KEY, secretAccessKey: 'stand-in-secret' },
    maxAttempts: 3,
  });
});
afterAll(async () => {
  sqs.destroy();
  await sim.stop();
});

let n = 0;
async function freshQueue(attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: `q${++n}`, Attributes: attributes }));
  return out.QueueUrl!;
}

const receive = (QueueUrl: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      ...extra,
    }),
  );

describe('the SQS stand-in through @aws-sdk/client-sqs', () => {
  it('carries the official ORDER_CHANGE example unchanged, with the body MD5 the SDK checks', async () => {
    const QueueUrl = await freshQueue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: EXAMPLE }));
    expect(sent.MessageId).toBeTruthy();
    const { Messages } = await receive(QueueUrl);
    expect(Messages).toHaveLength(1);
    expect(Messages![0]!.Body).toBe(EXAMPLE);
    expect(Messages![0]!.MessageId).toBe(sent.MessageId);
    expect(Messages![0]!.Attributes).toEqual({ ApproximateReceiveCount: '1' });
    // What the SDK sent: AWS JSON 1.0 with the operation in X-Amz-Target.
    const call = sim.calls.filter((c) => c.operation === 'ReceiveMessage').at(-1)!;
    expect(call.input).toMatchObject({ QueueUrl, MaxNumberOfMessages: 10 });
  });

  it('long-polls: an empty receive waits for a message sent meanwhile, then returns at once', async () => {
    const QueueUrl = await freshQueue();
    const started = Date.now();
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"late":true}' })), 300);
    const { Messages } = await receive(QueueUrl, { WaitTimeSeconds: 5 });
    const waited = Date.now() - started;
    expect(Messages?.map((m) => m.Body)).toEqual(['{"late":true}']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(3_000);

    const empty = Date.now();
    const none = await receive(QueueUrl, { WaitTimeSeconds: 1 });
    expect(none.Messages).toBeUndefined();
    expect(Date.now() - empty).toBeGreaterThanOrEqual(900);
  });

  it('hides a received message for its visibility timeout and hands it out again, counted, under a new handle', async () => {
    const QueueUrl = await freshQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"n":1}' }));
    const first = (await receive(QueueUrl, { VisibilityTimeout: 1 })).Messages![0]!;
    expect((await receive(QueueUrl)).Messages).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1_100));
    const again = (await receive(QueueUrl, { VisibilityTimeout: 30 })).Messages![0]!;
    expect(again.MessageId).toBe(first.MessageId);
    expect(again.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');

    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    expect((await receive(QueueUrl)).Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('deletes by receipt handle, singly and in batches, and refuses handles it never issued', async () => {
    const QueueUrl = await freshQueue();
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `{"i":${i}}` }));
    const messages = (await receive(QueueUrl)).Messages!;
    expect(messages).toHaveLength(3);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: messages[0]!.ReceiptHandle }));
    // Deleting again is a no-op, as in SQS.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: messages[0]!.ReceiptHandle }));
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'forged' }))).rejects.toBeInstanceOf(
      ReceiptHandleIsInvalid,
    );
    const batch = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: messages[1]!.ReceiptHandle },
          { Id: 'b', ReceiptHandle: messages[2]!.ReceiptHandle },
          { Id: 'c', ReceiptHandle: 'forged' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(batch.Failed).toEqual([
      expect.objectContaining({ Id: 'c', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect(sim.queue(`q${n}`).snapshot()).toHaveLength(0);
  });

  it('finds queues by name and answers QueueDoesNotExist as the SDK expects', async () => {
    const QueueUrl = await freshQueue();
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: `q${n}` }))).QueueUrl).toBe(QueueUrl);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(receive(`${sim.url}/${sim.accountId}/nope`)).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('a 500 is retried by the SDK; a wrong access key and bad parameters are refused', async () => {
    const QueueUrl = await freshQueue();
    sim.failNext('SendMessage', 'InternalError');
    const before = sim.calls.length;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{}' }));
    expect(sim.calls.slice(before).map((c) => c.status)).toEqual([500, 200]);

    const stranger = new SQSClient({
      region: 'us-east-1',
      endpoint: sim.url,
      credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: '{}' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    stranger.destroy();
    await expect(receive(QueueUrl, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({
      Code: 'InvalidParameterValue',
    });
  });

  it('injects at-least-once duplicates (same MessageId twice) and moves a message to the DLQ after maxReceiveCount', async () => {
    const QueueUrl = await freshQueue();
    const queue = sim.queue(`q${n}`);
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"dup":1}' }));
    queue.duplicate(sent.MessageId!);
    const both = (await receive(QueueUrl)).Messages!;
    expect(both.map((m) => m.MessageId)).toEqual([sent.MessageId, sent.MessageId]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: both[1]!.ReceiptHandle }));
    expect(queue.snapshot()).toHaveLength(0);

    const dlq = sim.createQueue(`dlq${n}`);
    const source = sim.createQueue(`src${n}`, { maxReceiveCount: 2, deadLetterQueue: dlq });
    source.send('{"poison":true}');
    for (let i = 0; i < 2; i++) {
      const [m] = source.receive(10, 30);
      expect(m?.receiveCount).toBe(i + 1);
      expect(source.changeVisibility(m!.receiptHandle!, 0)).toBeNull();
    }
    expect(source.receive(10, 30)).toEqual([]);
    expect(dlq.snapshot().map((m) => m.body)).toEqual(['{"poison":true}']);
  });
});
