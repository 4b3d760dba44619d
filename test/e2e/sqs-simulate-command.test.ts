import { afterAll, describe, expect, it } from '@jest/globals';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { killChildHubs, spawnHub } from '../support/child-hub.js';
import { AMAZON_FIXTURES } from '../support/fixtures.js';

/** `switchyard simulate sqs`, the built CLI as an integrator runs it. */
describe('switchyard simulate sqs', () => {
  afterAll(() => killChildHubs());

  it('serves the official SQS client on the queue it prints, and stops on SIGTERM', async () => {
    const sim = spawnHub(['simulate', 'sqs', '--queue', 'orders', '--access-key-id', 'AKIACLI'], {});
    const [, endpoint] = await sim.waitFor(/AMAZON_SQS_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    const [, queueUrl] = await sim.waitFor(/Queue: (\S+)/);
    expect(queueUrl).toBe(`${endpoint}/000000000000/orders`);
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'AKIACLI', secretAccessKey: 'anything' },
    });
    const body = readFileSync(new URL('order-change-notification.example.json', AMAZON_FIXTURES), 'utf8');
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toEqual([body]);
    sqs.destroy();
    sim.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
  });

  it('refuses a bad queue name or port with exit 64', async () => {
    const badQueue = spawnHub(['simulate', 'sqs', '--queue', 'no/slash'], {});
    expect(await badQueue.exited).toBe(64);
    expect(badQueue.output()).toContain('--queue must be');
    const badPort = spawnHub(['simulate', 'sqs', '--port', '70000'], {});
    expect(await badPort.exited).toBe(64);
  });
});
