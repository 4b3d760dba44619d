import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small HTTP helpers for the Amazon simulator's handlers. */

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(text ? { 'content-type': 'application/json' } : {}) }).end(text);
}

/** SP-API's error body: `{errors:[{code, message, details}]}`. */
export function spApiErrors(
  code: string,
  message: string,
): { errors: { code: string; message: string; details: string }[] } {
  return { errors: [{ code, message, details: '' }] };
}

/** A query parameter that may come as `a,b` or repeated (axios sends arrays comma-joined). */
export function listParam(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
