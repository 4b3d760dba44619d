import { parseArgs } from 'node:util';
import { SqsSimulator } from './sqs-simulator.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * `switchyard simulate sqs [--port N] [--queue NAME] [--access-key-id K] [--max-receive-count N]`:
 * runs the SQS stand-in alone with one queue (and, with --max-receive-count, its dead-letter queue
 * `<NAME>-dlq`), and prints the settings and queue URL that point a hub's Amazon channel at it.
 * Any SQS client can send to it (e.g. `aws sqs send-message --endpoint-url …`). Runs until SIGINT
 * or SIGTERM.
 */
export async function simulateSqs(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      queue: { type: 'string' },
      'access-key-id': { type: 'string' },
      'max-receive-count': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write('simulate sqs: --port must be a port number\n');
    return 64;
  }
  const name = values.queue ?? 'switchyard-amazon-notifications';
  if (!QUEUE_NAME.test(name)) {
    process.stderr.write('simulate sqs: --queue must be 1 to 80 letters, digits, - or _ (an SQS queue name)\n');
    return 64;
  }
  const maxReceiveCount = values['max-receive-count'] === undefined ? undefined : Number(values['max-receive-count']);
  if (
    maxReceiveCount !== undefined &&
    (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
  ) {
    process.stderr.write('simulate sqs: --max-receive-count must be a whole number from 1 to 1000\n');
    return 64;
  }
  const accessKeyId = values['access-key-id'] ?? 'AKIASTANDIN';
  const sim = new SqsSimulator({ port, accessKeyId });
  await sim.start();
  const queue = sim.createQueue(
    name,
    maxReceiveCount === undefined ? {} : { maxReceiveCount, deadLetterQueue: sim.createQueue(`${name}-dlq`) },
  );
  out.write(
    [
      '',
      `  SQS stand-in (AWS JSON 1.0, as @aws-sdk/client-sqs speaks it) is listening on ${sim.url}`,
      `  Queue: ${queue.url}${maxReceiveCount === undefined ? '' : ` (dead-letter queue ${name}-dlq after ${maxReceiveCount} receives)`}`,
      '  Point a hub at it:',
      `    AMAZON_SQS_ENDPOINT=${sim.url}`,
      `    AMAZON_SQS_ACCESS_KEY_ID=${accessKeyId}`,
      '    AMAZON_SQS_SECRET_ACCESS_KEY=<anything: signatures are not verified>',
      `  and give the Amazon channel credentials.notificationQueueUrl = ${queue.url}`,
      `  Send a notification: aws sqs send-message --endpoint-url ${sim.url} --queue-url ${queue.url} --message-body file://order-change.json`,
      '',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.stop();
  return 0;
}
