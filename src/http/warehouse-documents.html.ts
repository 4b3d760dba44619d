import type { PostalAddress } from '../domain/address.js';
import type { PackingSlip, PickLine, WarehouseDocument } from '../domain/shipping/warehouse-documents.query.js';

/**
 * Printable HTML for the warehouse: pick lists and packing slips. Plain HTML and inline CSS (no
 * script, no external resource), one parcel per printed page. Every value is escaped: SKUs,
 * titles and addresses come from channels and customers.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STYLE = `
  body { font: 12pt/1.35 system-ui, sans-serif; margin: 1.5cm; color: #000; }
  h1 { font-size: 16pt; margin: 0 0 .2cm; } h2 { font-size: 13pt; margin: .5cm 0 .2cm; }
  table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #888; padding: .15cm .25cm; text-align: left; vertical-align: top; }
  td.qty, th.qty { text-align: right; width: 3cm; } .check { width: 1cm; }
  .meta { color: #333; margin-bottom: .4cm; } address { font-style: normal; white-space: pre-line; }
  .slip { page-break-after: always; break-after: page; } .slip:last-child { page-break-after: auto; break-after: auto; }
  @media print { body { margin: 0; } }`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body>
</html>
`;
}

function addressLines(a: PostalAddress | null): string {
  if (!a) return '(no shipping address)';
  const cityLine = [a.postalCode, a.city, a.region].filter(Boolean).join(' ');
  return [a.name, a.company, a.line1, a.line2, cityLine, a.countryCode].filter(Boolean).map(escapeHtml).join('\n');
}

const when = (d: Date) => escapeHtml(d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC');

function slipHtml(location: WarehouseDocument['location'], slip: PackingSlip): string {
  const rows = slip.lines
    .map(
      (l) =>
        `<tr><td class="check">☐</td><td>${escapeHtml(l.sku)}</td><td>${escapeHtml(l.title)}</td><td class="qty">${l.quantity}</td></tr>`,
    )
    .join('\n');
  const label = slip.label?.trackingCode
    ? `${escapeHtml(slip.label.carrier)} ${escapeHtml(slip.label.service)} · tracking ${escapeHtml(slip.label.trackingCode)}`
    : slip.label
      ? `label ${escapeHtml(slip.label.status.toUpperCase())}`
      : 'no label yet';
  return `<section class="slip" data-shipment="${escapeHtml(slip.shipmentId)}">
<h1>Packing slip · order ${escapeHtml(slip.orderNumber)}</h1>
<div class="meta">Shipment ${escapeHtml(slip.shipmentId)} (${escapeHtml(slip.status.toUpperCase())}) · channel ${escapeHtml(slip.channelId)} · placed ${when(slip.placedAt)} · from ${escapeHtml(location.code)} ${escapeHtml(location.name)} · ${label}</div>
<h2>Ship to</h2>
<address>${addressLines(slip.shipTo)}</address>
<h2>In this parcel</h2>
<table>
<thead><tr><th class="check"></th><th>SKU</th><th>Item</th><th class="qty">Quantity</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

export function packingSlipsHtml(location: WarehouseDocument['location'], slips: readonly PackingSlip[]): string {
  const body =
    slips.length === 0
      ? `<h1>Packing slips · ${escapeHtml(location.code)}</h1>\n<p>No parcel is waiting at ${escapeHtml(location.code)}.</p>`
      : slips.map((s) => slipHtml(location, s)).join('\n');
  return page(`Packing slips · ${location.code}`, body);
}

function pickRow(p: PickLine): string {
  const forWhom = p.shipments.map((s) => `${escapeHtml(s.orderNumber)} ×${s.quantity}`).join(', ');
  return `<tr><td class="check">☐</td><td>${escapeHtml(p.sku)}</td><td>${escapeHtml(p.title)}</td><td class="qty">${p.quantity}</td><td>${forWhom}</td></tr>`;
}

export function pickListHtml(doc: WarehouseDocument): string {
  const { location } = doc;
  const units = doc.picks.reduce((n, p) => n + p.quantity, 0);
  const parcels = doc.slips
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.orderNumber)}</td><td>${escapeHtml(s.shipmentId)}</td><td>${escapeHtml(s.shipTo?.name ?? '')}</td><td>${escapeHtml(s.shipTo?.city ?? '')}</td><td class="qty">${s.lines.reduce((n, l) => n + l.quantity, 0)}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Pick list · ${escapeHtml(location.code)} ${escapeHtml(location.name)}</h1>
<div class="meta">${doc.slips.length} parcel${doc.slips.length === 1 ? '' : 's'}, ${units} unit${units === 1 ? '' : 's'} · generated ${when(doc.generatedAt)}</div>
<h2>Pick</h2>
<table>
<thead><tr><th class="check"></th><th>SKU</th><th>Item</th><th class="qty">Quantity</th><th>For</th></tr></thead>
<tbody>
${doc.picks.map(pickRow).join('\n')}
</tbody>
</table>
<h2>Parcels</h2>
<table>
<thead><tr><th>Order</th><th>Shipment</th><th>Ship to</th><th>City</th><th class="qty">Units</th></tr></thead>
<tbody>
${parcels}
</tbody>
</table>`;
  return page(`Pick list · ${location.code}`, body);
}
