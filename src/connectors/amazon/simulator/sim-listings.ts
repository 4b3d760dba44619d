/**
 * The simulated seller's listings: per SKU the quantity of each fulfilment channel
 * (`DEFAULT` is the seller's own, MFN), changed by JSON_LISTINGS_FEED messages and
 * patchListingsItem the way Amazon applies them.
 */
export interface SimListing {
  sku: string;
  productType: string;
  /** fulfillment_channel_code → quantity. */
  quantities: Map<string, number>;
}

export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING';
  attributeName?: string;
}

export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

const AVAILABILITY_PATH = '/attributes/fulfillment_availability';

export class SimListings {
  readonly bySku = new Map<string, SimListing>();
  /** SKUs the seller has no listing for on Amazon: changes to them are refused. */
  readonly unknownSkus = new Set<string>();

  quantity(sku: string, channel = 'DEFAULT'): number | undefined {
    return this.bySku.get(sku)?.quantities.get(channel);
  }

  /** Applies JSON patches (replace or merge of fulfillment_availability); the issues when refused. */
  patch(sku: string, productType: string, patches: PatchOperation[]): ListingIssue[] {
    if (this.unknownSkus.has(sku)) return [notFound(sku)];
    const issues: ListingIssue[] = [];
    const changes: { channel: string; quantity: number }[] = [];
    for (const p of patches) {
      if ((p.op !== 'replace' && p.op !== 'merge') || p.path !== AVAILABILITY_PATH) {
        issues.push({
          code: '90220',
          severity: 'ERROR',
          message: `The simulator patches ${AVAILABILITY_PATH} only (got ${p.op} ${p.path})`,
        });
        continue;
      }
      const entries = Array.isArray(p.value) ? (p.value as Record<string, unknown>[]) : [];
      for (const e of entries) {
        const quantity = e.quantity;
        if (
          typeof e.fulfillment_channel_code !== 'string' ||
          typeof quantity !== 'number' ||
          !Number.isInteger(quantity) ||
          quantity < 0
        ) {
          issues.push({
            code: '4000001',
            severity: 'ERROR',
            attributeName: 'fulfillment_availability',
            message: 'fulfillment_availability needs a fulfillment_channel_code and a whole quantity of 0 or more',
          });
          continue;
        }
        changes.push({ channel: e.fulfillment_channel_code, quantity });
      }
    }
    if (issues.length) return issues;
    const listing = this.bySku.get(sku) ?? { sku, productType, quantities: new Map<string, number>() };
    for (const c of changes) listing.quantities.set(c.channel, c.quantity);
    this.bySku.set(sku, listing);
    return [];
  }

  /** UPDATE / PARTIAL_UPDATE messages: the attributes' fulfillment_availability, if any. */
  update(sku: string, productType: string, attributes: Record<string, unknown> | undefined): ListingIssue[] {
    const availability = attributes?.fulfillment_availability;
    if (availability === undefined) {
      if (!this.bySku.has(sku)) this.bySku.set(sku, { sku, productType, quantities: new Map() });
      return [];
    }
    return this.patch(sku, productType, [{ op: 'replace', path: AVAILABILITY_PATH, value: availability }]);
  }

  delete(sku: string): ListingIssue[] {
    if (!this.bySku.delete(sku)) return [notFound(sku)];
    return [];
  }
}

function notFound(sku: string): ListingIssue {
  return { code: '4000004', severity: 'ERROR', message: `SKU ${sku} has no listing for this seller` };
}
