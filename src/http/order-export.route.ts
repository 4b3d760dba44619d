import type { Request, RequestHandler, Response } from 'express';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { Principal } from '../domain/auth/principal.js';
import type { OperationContext } from '../domain/context.js';
import { CONTROL_CHARACTER_RULE, controlCharacterIn } from '../domain/control-characters.js';
import { badInput, DomainError, ErrorCode } from '../domain/errors.js';
import type { OrderFilter } from '../domain/orders/order-list.service.js';
import { prepareOrderExport, type OrderExportRow } from '../domain/reports/order-export.service.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';
import type { Orm } from '../platform/database.js';
import { ORDER_CSV_EXPORT_ROLES } from '../schema/auth/policy.js';
import { csvLine } from './csv.js';
import { errorBody } from './errors.js';
import { routePrincipal, sendDomainError } from './route-auth.js';

export const ORDER_CSV_COLUMNS = [
  'number',
  'channel',
  'external_id',
  'status',
  'placed_at',
  'customer_email',
  'currency',
  'subtotal',
  'shipping',
  'tax',
  'discount',
  'total',
  'line_count',
] as const;

const rowCells = (r: OrderExportRow) => [
  r.number,
  r.channel,
  r.externalId,
  r.status,
  r.placedAt.toISOString(),
  r.customerEmail,
  r.currency,
  r.subtotal,
  r.shipping,
  r.tax,
  r.discount,
  r.total,
  r.lineCount,
];

interface Deps {
  orm: Pick<Orm, 'em'>;
  authenticator: ApiKeyAuthenticator;
  logger: Logger;
}

/**
 * GET /exports/orders.csv: the orders matching `status` (repeated or comma-separated),
 * `channelId`, `createdFrom`, `createdTo` (ISO 8601) and `search`, as CSV, streamed in batches
 * (never the whole result in memory) and paced by the client (waits for `drain`). Same API keys
 * as /graphql: 401 without or with a bad key, 403 for a role not in ORDER_CSV_EXPORT_ROLES,
 * channel scope applied like the `orders` query; filter errors are 400 before any CSV is sent.
 */
export function orderCsvExportRoute(deps: Deps): RequestHandler {
  return async (req, res) => {
    let principal: Principal;
    try {
      principal = await routePrincipal(
        deps.authenticator,
        req.headers,
        ORDER_CSV_EXPORT_ROLES,
        'download /exports/orders.csv',
      );
    } catch (error) {
      if (error instanceof DomainError) return sendDomainError(res, error);
      throw error;
    }
    const logger = deps.logger.child({ requestId: req.id });
    const ctx: OperationContext = { actor: principal, requestId: req.id, em: deps.orm.em.fork(), logger };
    let batches: AsyncGenerator<OrderExportRow[]>;
    try {
      batches = prepareOrderExport(ctx, filterOf(req)).batches();
    } catch (error) {
      if (error instanceof DomainError) return sendDomainError(res, error);
      throw error;
    }
    await stream(res, batches, logger);
  };
}

async function stream(res: Response, batches: AsyncGenerator<OrderExportRow[]>, logger: Logger): Promise<void> {
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  // The first batch is read before the status line, so a query that fails outright is still
  // answered with a JSON error, not a 200 cut short.
  let first: IteratorResult<OrderExportRow[]>;
  try {
    first = await batches.next();
  } catch (error) {
    await batches.return(undefined);
    if (error instanceof DomainError) return sendDomainError(res, error);
    logger.error({ err: error }, 'order CSV export failed');
    res.status(500).json(errorBody('Internal server error', ErrorCode.INTERNAL));
    return;
  }
  if (closed) {
    await batches.return(undefined);
    return;
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="orders.csv"');
  res.setHeader('Cache-Control', 'no-store');
  res.write(csvLine(ORDER_CSV_COLUMNS));
  let rows = 0;
  try {
    for await (const batch of withFirst(first, batches)) {
      if (closed) break;
      rows += batch.length;
      // One write per batch; wait while the client is slower than the database.
      if (!res.write(batch.map((r) => csvLine(rowCells(r))).join(''))) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    }
    if (!closed) res.end();
  } catch (error) {
    // The status line is gone already: cut the connection so the client sees an incomplete file.
    logger.error({ err: error, rows }, 'order CSV export failed mid-stream');
    res.destroy(error as Error);
  } finally {
    await batches.return(undefined);
  }
}

/** The batches again, starting with the one already read. */
async function* withFirst<T>(first: IteratorResult<T>, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}

function single(req: Request, name: string): string | null {
  const value = req.query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw badInput(name, 'must be given once');
  return value;
}

function dateParam(req: Request, name: string): Date | null {
  const text = single(req, name)?.trim();
  if (!text) return null;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) {
    throw badInput(name, 'must be an ISO 8601 date or date-time, e.g. 2026-03-01T00:00:00Z');
  }
  return date;
}

/**
 * Refuses a control character in any query parameter: a NUL reached PostgreSQL, which refuses it
 * once the 200 and the CSV header were sent, so the client saw a dropped connection.
 */
function refuseControlCharacters(req: Request): void {
  for (const [name, raw] of Object.entries(req.query)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const found = typeof value === 'string' ? controlCharacterIn(value) : undefined;
      if (found) {
        throw badInput(name, `contains the control character ${found}: ${CONTROL_CHARACTER_RULE}`, {
          character: found,
        });
      }
    }
  }
}

/** The query string as the `orders` filter; validation proper happens in the domain. */
function filterOf(req: Request): OrderFilter {
  refuseControlCharacters(req);
  const raw = req.query.status;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (values.some((v) => typeof v !== 'string')) throw badInput('status', 'must be status names');
  const statuses = (values as string[])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    statuses: statuses.length > 0 ? statuses : null,
    channelId: single(req, 'channelId'),
    createdFrom: dateParam(req, 'createdFrom'),
    createdTo: dateParam(req, 'createdTo'),
    search: single(req, 'search'),
  };
}
