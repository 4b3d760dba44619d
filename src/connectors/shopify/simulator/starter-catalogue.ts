/**
 * The products a stand-alone simulator and the sandbox start with: four SKUs (prices as Shopify
 * sends them, decimal strings in USD) stocked at two Shopify locations.
 */
export const STARTER_LOCATIONS = ['gid://shopify/Location/1', 'gid://shopify/Location/2'] as const;

export interface StarterItem {
  sku: string;
  title: string;
  price: string;
  /** Units available at each of STARTER_LOCATIONS, in order. */
  available: [number, number];
}

export const STARTER_STOCK: StarterItem[] = [
  { sku: 'TSHIRT-BLK-M', title: 'T-shirt, black, M', price: '24.00', available: [25, 10] },
  { sku: 'TSHIRT-WHT-M', title: 'T-shirt, white, M', price: '24.00', available: [18, 6] },
  { sku: 'MUG-LOGO', title: 'Logo mug', price: '12.50', available: [40, 0] },
  { sku: 'CAP-NAVY', title: 'Cap, navy', price: '19.99', available: [12, 12] },
];
