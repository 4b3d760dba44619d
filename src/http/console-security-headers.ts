import type { Request, Response } from 'express';

/** A Host header we are willing to repeat inside the CSP (name or address and port, nothing else). */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The console's Content-Security-Policy: everything from this origin only, no inline script or
 * style, no other site. The socket to /graphql is named explicitly (ws: and wss: of the same
 * host), as older browsers do not count it as 'self'. GraphiQL's stylesheet carries its fonts
 * and a few icons as data: URLs, hence data: for fonts and images (never for scripts).
 */
export function consoleContentSecurityPolicy(host: string | undefined): string {
  const sockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers on every console response, the built files, the SPA's pages and its error answers alike. */
export function setConsoleSecurityHeaders(req: Request, res: Response): void {
  res.set({
    'Content-Security-Policy': consoleContentSecurityPolicy(req.get('host')),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  });
}
