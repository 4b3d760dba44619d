import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliDecompress, gunzip, inflate, type InputType } from 'node:zlib';
import type { Logger } from 'pino';
import { errorBody } from './errors.js';
import type { Metrics } from './metrics.js';
import { logRequest, requestIdOf } from './request-log.js';
import type { WebhookAcceptor, WebhookAnswer } from './webhook-acceptor.js';

const ROUTE = '/webhooks/:channelId';
const WEBHOOK_PATH = /^\/webhooks\/([^/?#]+)\/?(?:\?.*)?$/;

type Decoder = (
  input: InputType,
  options: { maxOutputLength: number },
  cb: (e: Error | null, out: Buffer) => void,
) => void;
const DECODERS: Record<string, Decoder> = { gzip: gunzip, 'x-gzip': gunzip, deflate: inflate, br: brotliDecompress };

export interface WebhookLaneOptions {
  logger: Logger;
  metrics: Metrics;
  /** Larger bodies (as sent, and once decompressed) are refused with 413 before anything else. */
  bodyLimitBytes: number;
}

/**
 * `POST /webhooks/<channel>` served straight from node:http, ahead of express: the webhook ack is
 * the hub's hottest request (a storm is thousands a second, and the platform's wait for each
 * answer is what the ack latency goal is about), and express's router, body parser and response
 * helpers were about a sixth of its CPU. Everything the app's middleware gives other requests is
 * kept: the X-Request-Id, the request log line, the duration metric, 413/415 for bodies, JSON
 * error bodies. Returns false for any other request, which then goes to the app.
 */
export function webhookLane(
  acceptor: WebhookAcceptor,
  options: WebhookLaneOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { logger, metrics, bodyLimitBytes } = options;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = WEBHOOK_PATH.exec(req.url ?? '');
    if (!match) return false;
    const started = process.hrtime.bigint();
    const timer = metrics.httpTimer('POST');
    const requestId = requestIdOf(req.headers['x-request-id']);
    const path = `/webhooks/${match[1]}`;
    const send = (answer: WebhookAnswer, close = false) => {
      if (res.headersSent) return;
      const payload = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
        'x-request-id': requestId,
        ...(close ? { connection: 'close' } : {}),
      });
      res.end(payload);
      timer(ROUTE, answer.status);
      logRequest(logger, { requestId, method: 'POST', path, status: answer.status, started });
      answer.afterAnswer?.();
    };
    const tooLarge = (): WebhookAnswer => ({
      status: 413,
      body: errorBody(`Request body is larger than the limit of ${bodyLimitBytes} bytes`, 'BAD_USER_INPUT', {
        limit: bodyLimitBytes,
      }),
    });
    let channelId: string;
    try {
      channelId = decodeURIComponent(match[1]!);
    } catch {
      send({ status: 404, body: errorBody(`No route POST ${path}; the API is at /graphql`, 'NOT_FOUND') });
      req.resume();
      return true;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimitBytes) {
      // Not read: the connection closes after the answer rather than draining a huge body.
      send(tooLarge(), true);
      req.resume();
      return true;
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    const decoder = encoding === 'identity' ? undefined : DECODERS[encoding];
    if (encoding !== 'identity' && !decoder) {
      send({ status: 415, body: errorBody(`Unsupported body encoding: "${encoding}"`, 'BAD_USER_INPUT') });
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > bodyLimitBytes) {
        refused = true;
        send(tooLarge(), true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      refused = true;
    });
    req.on('end', () => {
      if (refused) return;
      const sent = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const accept = (raw: Buffer) =>
        acceptor({ channelId, raw, headers: req.headers, requestId }).then(send, (error: Error) => {
          // The acceptor answers every failure itself; this is a bug, never a 2xx.
          logger.error({ err: error.message, requestId }, 'webhook lane failed');
          send({ status: 500, body: errorBody('Internal server error', 'INTERNAL') });
        });
      if (!decoder) return void accept(sent);
      decoder(sent, { maxOutputLength: bodyLimitBytes }, (error, raw) => {
        if (!error) return void accept(raw);
        const large = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        send(large ? tooLarge() : { status: 400, body: errorBody(`Body is not valid ${encoding}`, 'BAD_USER_INPUT') });
      });
    });
    return true;
  };
}

/** The server's request listener: webhooks through the lane, everything else through the app. */
export function withWebhookLane(
  lane: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined,
  app: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (!lane) return app;
  return (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
}
