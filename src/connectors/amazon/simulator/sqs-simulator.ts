import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeSimulator, listenSimulator } from '../../simulator-server.js';
import { readBody } from './sim-http.js';
import { md5, SimSqsQueue, type SimSqsQueueOptions } from './sim-sqs-queue.js';

/**
 * A local stand-in for Amazon SQS, for tests and the sandbox: a real HTTP server on loopback
 * speaking the protocol @aws-sdk/client-sqs v3 uses (AWS JSON 1.0: `POST /`, `X-Amz-Target:
 * AmazonSQS.<Operation>`, `application/x-amz-json-1.0`, errors as `{__type, message}` with the
 * `x-amzn-query-error` header the SDK reads the classic error code from). Signatures are not
 * verified; the access key id in the Authorization header must be the configured one, when one
 * is. Operations: CreateQueue, GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage (long
 * poll, visibility timeout, ApproximateReceiveCount), DeleteMessage, DeleteMessageBatch,
 * ChangeMessageVisibility. Tests read the call log, inject failures with `failNext`, and can
 * `holdDeletes` (a delete that never answers) to stop a worker between receive and delete.
 */

export interface SqsSimulatorOptions {
  port?: number;
  host?: string;
  /** The account in queue URLs (`<base>/<account>/<name>`). */
  accountId?: string;
  /** When set, a request signed with another access key id is refused (UnrecognizedClientException). */
  accessKeyId?: string;
  now?: () => number;
}

export type SqsOperation =
  | 'CreateQueue'
  | 'GetQueueUrl'
  | 'GetQueueAttributes'
  | 'SendMessage'
  | 'ReceiveMessage'
  | 'DeleteMessage'
  | 'DeleteMessageBatch'
  | 'ChangeMessageVisibility';

const OPERATIONS = new Set<string>([
  'CreateQueue',
  'GetQueueUrl',
  'GetQueueAttributes',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
]);

export interface SqsCall {
  at: number;
  operation: SqsOperation | 'unknown';
  input: Record<string, unknown>;
  status: number;
  /** Message ids a ReceiveMessage handed out. */
  received?: string[];
}

/** SQS's errors: the JSON `__type` and the query-compatible code (`x-amzn-query-error`). */
const ERRORS = {
  QueueDoesNotExist: { type: 'QueueDoesNotExist', code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  ReceiptHandleIsInvalid: { type: 'ReceiptHandleIsInvalid', code: 'ReceiptHandleIsInvalid', status: 400 },
  MessageNotInflight: { type: 'MessageNotInflight', code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  InvalidParameterValue: { type: 'InvalidParameterValueException', code: 'InvalidParameterValue', status: 400 },
  MissingParameter: { type: 'MissingParameter', code: 'MissingParameter', status: 400 },
  EmptyBatchRequest: { type: 'EmptyBatchRequest', code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: {
    type: 'TooManyEntriesInBatchRequest',
    code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  InvalidAction: { type: 'InvalidAction', code: 'InvalidAction', status: 400 },
  UnrecognizedClient: { type: 'UnrecognizedClientException', code: 'InvalidClientTokenId', status: 400 },
  InternalError: { type: 'InternalError', code: 'InternalError', status: 500 },
  ServiceUnavailable: { type: 'ServiceUnavailable', code: 'AWS.SimpleQueueService.ServiceUnavailable', status: 503 },
} as const;
type SqsError = keyof typeof ERRORS;

class Refused extends Error {
  constructor(
    readonly error: SqsError,
    message: string,
  ) {
    super(message);
  }
}

export class SqsSimulator {
  readonly calls: SqsCall[] = [];
  readonly accountId: string;
  private readonly queues = new Map<string, SimSqsQueue>();
  private readonly failures: { operation: SqsOperation; error: SqsError }[] = [];
  private readonly now: () => number;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  /** Deletes received while held: never applied, never answered (until released or the client goes). */
  private held: (() => void)[] | null = null;

  constructor(private readonly options: SqsSimulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.accountId = options.accountId ?? '000000000000';
  }

  async start(): Promise<string> {
    const { server, baseUrl } = await listenSimulator((req, res) => this.handle(req, res), this.options);
    this.server = server;
    this.baseUrl = baseUrl;
    return baseUrl;
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('The SQS stand-in is not started');
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.releaseDeletes();
    const server = this.server;
    this.server = undefined;
    await closeSimulator(server);
  }

  /** Creates a queue (or returns the existing one of that name). */
  createQueue(name: string, options: SimSqsQueueOptions = {}): SimSqsQueue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue = new SimSqsQueue(name, `${this.url}/${this.accountId}/${name}`, this.now, options);
    this.queues.set(name, queue);
    return queue;
  }

  queue(name: string): SimSqsQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`The SQS stand-in has no queue ${name}`);
    return queue;
  }

  /** The next call to `operation` fails with `error` (InternalError: a 500 the SDK retries). */
  failNext(operation: SqsOperation, error: SqsError = 'InternalError', times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ operation, error });
  }

  /** From now on, DeleteMessage(Batch) requests are held unanswered and not applied. */
  holdDeletes(): void {
    this.held ??= [];
  }

  /** Deletes are answered again; held ones are dropped unapplied (their callers gave up or died). */
  releaseDeletes(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const drop of held) drop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) input = parsed as Record<string, unknown>;
    } catch {
      // Answered below as a bad request.
    }
    const call: SqsCall = {
      at: this.now(),
      operation: OPERATIONS.has(name) ? (name as SqsOperation) : 'unknown',
      input,
      status: 0,
    };
    this.calls.push(call);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      if (res.destroyed) return;
      res
        .writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': cryptoId(), ...headers })
        .end(JSON.stringify(payload));
    };
    const fail = (error: SqsError, message: string): void => {
      const e = ERRORS[error];
      send(
        e.status,
        { __type: `com.amazonaws.sqs#${e.type}`, message },
        {
          'x-amzn-query-error': `${e.code};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
        },
      );
    };

    if (req.method !== 'POST' || call.operation === 'unknown')
      return fail('InvalidAction', `Unsupported action ${target || `${req.method} ${req.url}`}`);
    if (this.options.accessKeyId && accessKeyIdOf(req) !== this.options.accessKeyId)
      return fail('UnrecognizedClient', 'The security token included in the request is invalid.');
    const injected = this.failures.findIndex((f) => f.operation === call.operation);
    if (injected >= 0) {
      const [failure] = this.failures.splice(injected, 1);
      return fail(failure!.error, `Injected ${failure!.error}`);
    }
    try {
      const answer = await this.run(call.operation as SqsOperation, input, call, req, res);
      if (answer === HELD) return;
      send(200, answer);
    } catch (error) {
      if (error instanceof Refused) return fail(error.error, error.message);
      throw error;
    }
  }

  private async run(
    operation: SqsOperation,
    input: Record<string, unknown>,
    call: SqsCall,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<unknown> {
    switch (operation) {
      case 'CreateQueue': {
        const name = requiredString(input, 'QueueName');
        const attributes = (input.Attributes ?? {}) as Record<string, string>;
        const visibility =
          attributes.VisibilityTimeout === undefined ? undefined : Number(attributes.VisibilityTimeout);
        return {
          QueueUrl: this.createQueue(name, visibility === undefined ? {} : { visibilityTimeoutSeconds: visibility })
            .url,
        };
      }
      case 'GetQueueUrl': {
        const name = requiredString(input, 'QueueName');
        const queue = this.queues.get(name);
        if (!queue) throw new Refused('QueueDoesNotExist', 'The specified queue does not exist.');
        return { QueueUrl: queue.url };
      }
      case 'GetQueueAttributes': {
        const queue = this.queueOf(input);
        const counts = queue.counts();
        return {
          Attributes: {
            ApproximateNumberOfMessages: String(counts.visible),
            ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
            ApproximateNumberOfMessagesDelayed: String(counts.delayed),
            VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
            QueueArn: `arn:aws:sqs:us-east-1:${this.accountId}:${queue.name}`,
          },
        };
      }
      case 'SendMessage': {
        const queue = this.queueOf(input);
        const body = requiredString(input, 'MessageBody');
        const delay = intIn(input, 'DelaySeconds', 0, 900, 0);
        const message = queue.send(body, delay);
        return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
      }
      case 'ReceiveMessage':
        return this.receive(input, call, res);
      case 'DeleteMessage': {
        const queue = this.queueOf(input);
        const handle = requiredString(input, 'ReceiptHandle');
        if (this.held) return this.hold(req);
        const refused = queue.delete(handle);
        if (refused) throw new Refused(refused, `The receipt handle "${handle}" is not valid.`);
        return {};
      }
      case 'DeleteMessageBatch': {
        const queue = this.queueOf(input);
        const entries = batchEntries(input);
        if (this.held) return this.hold(req);
        const successful: { Id: string }[] = [];
        const failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
        for (const entry of entries) {
          const refused = queue.delete(entry.ReceiptHandle);
          if (refused)
            failed.push({
              Id: entry.Id,
              SenderFault: true,
              Code: refused,
              Message: 'The receipt handle is not valid.',
            });
          else successful.push({ Id: entry.Id });
        }
        return { Successful: successful, Failed: failed };
      }
      case 'ChangeMessageVisibility': {
        const queue = this.queueOf(input);
        const handle = requiredString(input, 'ReceiptHandle');
        const seconds = intIn(input, 'VisibilityTimeout', 0, 43_200);
        const refused = queue.changeVisibility(handle, seconds);
        if (refused) throw new Refused(refused, `Message with receipt handle ${handle} is not in flight.`);
        return {};
      }
    }
  }

  /**
   * ReceiveMessage: up to MaxNumberOfMessages (1–10) visible messages; with WaitTimeSeconds
   * (0–20) it waits for one to arrive or become visible again (long polling). A client that
   * hangs up meanwhile gets nothing: no message is hidden for a caller that is gone.
   */
  private async receive(input: Record<string, unknown>, call: SqsCall, res: ServerResponse): Promise<unknown> {
    const queue = this.queueOf(input);
    const max = intIn(input, 'MaxNumberOfMessages', 1, 10, 1);
    const waitSeconds = intIn(input, 'WaitTimeSeconds', 0, 20, 0);
    const visibility = intIn(input, 'VisibilityTimeout', 0, 43_200, queue.visibilityTimeoutSeconds);
    const names = [
      ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
      ...((input.AttributeNames as string[] | undefined) ?? []),
    ];
    const deadline = this.now() + waitSeconds * 1000;
    let gone = false;
    res.once('close', () => (gone = true));
    let messages = queue.receive(max, visibility);
    while (messages.length === 0 && !gone && this.now() < deadline) {
      await new Promise<void>((resolve) => {
        const next = queue.nextVisibleAt();
        const wait = Math.max(5, Math.min(deadline, next ?? deadline) - this.now());
        const timer = setTimeout(done, Math.min(wait, 250));
        const off = queue.onChange(done);
        res.once('close', done);
        function done(): void {
          clearTimeout(timer);
          off();
          res.off('close', done);
          resolve();
        }
      });
      if (!gone) messages = queue.receive(max, visibility);
    }
    call.received = messages.map((m) => m.messageId);
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((m) => ({
        MessageId: m.messageId,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5OfBody,
        Body: m.body,
        Attributes: systemAttributes(m, names),
      })),
    };
  }

  private hold(req: IncomingMessage): typeof HELD {
    // Never answered: the caller times out or dies; the delete is not applied.
    this.held!.push(() => req.socket.destroy());
    return HELD;
  }

  private queueOf(input: Record<string, unknown>): SimSqsQueue {
    const url = requiredString(input, 'QueueUrl');
    const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
    const queue = this.queues.get(name);
    if (!queue || !url.includes(`/${this.accountId}/`))
      throw new Refused('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }
}

const HELD = Symbol('held');

function systemAttributes(
  m: { receiveCount: number; sentAt: number; firstReceivedAt: number | null },
  names: string[],
): Record<string, string> | undefined {
  const all: Record<string, string> = {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentAt),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
  };
  if (names.includes('All')) return all;
  const picked = Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k)));
  return Object.keys(picked).length ? picked : undefined;
}

function requiredString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '')
    throw new Refused('MissingParameter', `The request must contain the parameter ${name}.`);
  return value;
}

function intIn(input: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): number {
  const value = input[name];
  if (value === undefined || value === null) {
    if (fallback === undefined)
      throw new Refused('MissingParameter', `The request must contain the parameter ${name}.`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new Refused(
      'InvalidParameterValue',
      `Value ${String(value)} for parameter ${name} is invalid. Must be between ${min} and ${max}.`,
    );
  return value;
}

function batchEntries(input: Record<string, unknown>): { Id: string; ReceiptHandle: string }[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new Refused(
      'EmptyBatchRequest',
      'There should be at least one DeleteMessageBatchRequestEntry in the request.',
    );
  if (entries.length > 10)
    throw new Refused('TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  return entries.map((e) => ({
    Id: String((e as { Id?: unknown }).Id ?? ''),
    ReceiptHandle: String((e as { ReceiptHandle?: unknown }).ReceiptHandle ?? ''),
  }));
}

/** The access key id from a SigV4 Authorization header (`Credential=<id>/<date>/…`). */
function accessKeyIdOf(req: IncomingMessage): string | null {
  const m = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''));
  return m ? m[1]! : null;
}

const cryptoId = () => md5(`${Date.now()}-${Math.random()}`).slice(0, 32);
