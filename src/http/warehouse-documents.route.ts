import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { OperationContext } from '../domain/context.js';
import { DomainError } from '../domain/errors.js';
import { packingSlipOf, waitingAtLocation } from '../domain/shipping/warehouse-documents.query.js';
import type { ApiKeyAuthenticator } from '../platform/api-key-authenticator.js';
import type { Orm } from '../platform/database.js';
import { WAREHOUSE_DOCUMENT_ROLES } from '../schema/auth/policy.js';
import { routePrincipal, sendDomainError } from './route-auth.js';
import { packingSlipsHtml, pickListHtml } from './warehouse-documents.html.js';

interface Deps {
  orm: Pick<Orm, 'em'>;
  authenticator: ApiKeyAuthenticator;
  logger: Logger;
}

/** `?shipment=a&shipment=b` or `?shipment=a,b`. */
function shipmentsOf(req: Request): string[] {
  const raw = req.query.shipment;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * Printable warehouse documents, HTML (GET, API roles; authenticated like /graphql, for admin and
 * the roles in WAREHOUSE_DOCUMENT_ROLES; a channel-scoped key sees its own channel's parcels):
 *
 * - `/warehouse/locations/:location/pick-list[?shipment=…]`: what to pick at a location (by id or
 *   code) for the parcels waiting there (CREATED shipments), SKU by SKU, and for which orders;
 * - `/warehouse/locations/:location/packing-slips[?shipment=…]`: their packing slips, one a page;
 * - `/warehouse/shipments/:shipment/packing-slip`: one shipment's slip (a reprint, any status).
 *
 * Errors are the API's JSON error bodies (401, 403, 404, 400). No PDF: no pure-JS HTML-to-PDF
 * library is both well kept and faithful; browsers print these pages to PDF themselves.
 */
export function warehouseDocumentsRouter(deps: Deps): Router {
  const router = Router();
  const serve =
    (render: (ctx: OperationContext, req: Request) => Promise<string>) => async (req: Request, res: Response) => {
      try {
        const actor = await routePrincipal(
          deps.authenticator,
          req.headers,
          WAREHOUSE_DOCUMENT_ROLES,
          'print warehouse documents',
        );
        const ctx: OperationContext = {
          actor,
          requestId: req.id,
          em: deps.orm.em.fork(),
          logger: deps.logger.child({ requestId: req.id }),
        };
        const html = await render(ctx, req);
        res
          .status(200)
          .set({
            'Content-Type': 'text/html; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            // Nothing but the page and its inline style: a title that smuggled markup still runs nothing.
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
          })
          .send(html);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        sendDomainError(res, error);
      }
    };
  router.get(
    '/locations/:location/pick-list',
    serve(async (ctx, req) =>
      pickListHtml(await waitingAtLocation(ctx, String(req.params.location), shipmentsOf(req))),
    ),
  );
  router.get(
    '/locations/:location/packing-slips',
    serve(async (ctx, req) => {
      const doc = await waitingAtLocation(ctx, String(req.params.location), shipmentsOf(req));
      return packingSlipsHtml(doc.location, doc.slips);
    }),
  );
  router.get(
    '/shipments/:shipment/packing-slip',
    serve(async (ctx, req) => {
      const { location, slip } = await packingSlipOf(ctx, String(req.params.shipment));
      return packingSlipsHtml(location, [slip]);
    }),
  );
  return router;
}
