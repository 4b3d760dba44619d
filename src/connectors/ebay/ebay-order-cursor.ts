import { PlatformError } from '../connector.js';

/** Where an eBay order pull is: the next offset and the window's fixed upper end. */
export interface EbayOrderCursor {
  offset: number;
  until: Date;
}

/** `<offset>@<until ISO>`: readable in logs and job data, no secrets. */
export function encodeOrderCursor(cursor: EbayOrderCursor): string {
  return `${cursor.offset}@${cursor.until.toISOString()}`;
}

export function decodeOrderCursor(text: string): EbayOrderCursor {
  const match = /^(\d+)@(.+)$/.exec(text);
  const until = match ? new Date(match[2]!) : null;
  if (!match || !until || Number.isNaN(until.getTime()))
    throw new PlatformError('INVALID', `Not an eBay order cursor: ${text.slice(0, 64)}`);
  return { offset: Number(match[1]), until };
}
