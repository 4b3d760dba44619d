import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHttpApp } from '../../src/http/app.js';
import { CONSOLE_BUILD_DIR, consoleAppRouter } from '../../src/http/console-app.route.js';
import { consoleContentSecurityPolicy } from '../../src/http/console-security-headers.js';
import { Metrics } from '../../src/http/metrics.js';
import { quietLogger } from '../support/context.js';

/**
 * How the hub serves the built console: /console with its client routes, hashed assets cached
 * for a year, index.html revalidated, the strict CSP on every answer, / and a browser's
 * GET /graphql sent to the console, and a plain message when the console is not built.
 */
const built = mkdtempSync(join(tmpdir(), 'switchyard-console-'));
const INDEX =
  '<!doctype html><html><head><script type="module" src="/console/assets/app-1a2b.js"></script></head></html>';
mkdirSync(join(built, 'assets'));
writeFileSync(join(built, 'index.html'), INDEX);
writeFileSync(join(built, 'assets', 'app-1a2b.js'), 'console.log("app")');

async function serve(buildDir: string): Promise<{ base: string; server: Server }> {
  const app = createHttpApp({
    logger: quietLogger,
    metrics: new Metrics([]),
    readiness: { check: async () => ({}) },
    bodyLimitBytes: 1024 * 1024,
    // Stands in for Apollo: answers anything that reaches it.
    graphql: () => (_req, res) => void res.json({ reachedGraphQL: true }),
    console: consoleAppRouter(buildDir),
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let hub: { base: string; server: Server };
let unbuilt: { base: string; server: Server };
beforeAll(async () => {
  hub = await serve(built);
  unbuilt = await serve(join(built, 'no-such-build'));
});
afterAll(() => {
  hub.server.close();
  unbuilt.server.close();
  rmSync(built, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });

function expectConsoleHeaders(res: Response, host: string) {
  expect(res.headers.get('content-security-policy')).toBe(
    `default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws://${host} wss://${host}; ` +
      "img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  );
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
}

describe('the console at /console', () => {
  it('redirects / to /console/', async () => {
    const res = await get(`${hub.base}/`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('serves index.html, never cached, at /console, /console/ and every client route', async () => {
    for (const path of ['/console', '/console/', '/console/orders/ord_123', '/console/graphiql']) {
      const res = await get(`${hub.base}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectConsoleHeaders(res, new URL(hub.base).host);
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets for a year, and a missing asset is a 404, not the app', async () => {
    const asset = await get(`${hub.base}/console/assets/app-1a2b.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expectConsoleHeaders(asset, new URL(hub.base).host);
    expect(await asset.text()).toBe('console.log("app")');

    const missing = await get(`${hub.base}/console/assets/app-0000.js`);
    expect(missing.status).toBe(404);
    expectConsoleHeaders(missing, new URL(hub.base).host);
    expect(await missing.text()).not.toContain('<html');
  });

  it('says how to build the console when it is not built', async () => {
    const res = await get(`${unbuilt.base}/console/`);
    expect(res.status).toBe(503);
    expectConsoleHeaders(res, new URL(unbuilt.base).host);
    expect(await res.text()).toContain('npm run build');
  });

  it('sends a browser opening /graphql to the bundled GraphiQL, and lets GraphQL requests through', async () => {
    const browser = await get(`${hub.base}/graphql`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/console/graphiql');

    const query = await get(`${hub.base}/graphql?query=%7B__typename%7D`, { accept: 'text/html' });
    expect(await query.json()).toEqual({ reachedGraphQL: true });
    const client = await get(`${hub.base}/graphql`, { accept: 'application/json' });
    expect(await client.json()).toEqual({ reachedGraphQL: true });
    const post = await fetch(`${hub.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: '{"query":"{__typename}"}',
    });
    expect(await post.json()).toEqual({ reachedGraphQL: true });
  });

  it('never repeats a Host header that is more than a host and port inside the CSP', () => {
    expect(consoleContentSecurityPolicy('hub.example:4000')).toContain(
      "connect-src 'self' ws://hub.example:4000 wss://hub.example:4000;",
    );
    expect(consoleContentSecurityPolicy('[::1]:4000')).toContain(
      "connect-src 'self' ws://[::1]:4000 wss://[::1]:4000;",
    );
    for (const host of ['evil; script-src *', 'a b', '', undefined])
      expect(consoleContentSecurityPolicy(host)).toContain("connect-src 'self'; img-src");
  });
});

describe('the built console (npm run build)', () => {
  it('has no inline script in index.html: every script is a file from /console/assets', () => {
    const html = readFileSync(join(CONSOLE_BUILD_DIR, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/assets\/[\w.-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/<style\b/i);
  });

  it('loads at most 300 KB of compressed JavaScript on the first screen, GraphiQL not among it', () => {
    const html = readFileSync(join(CONSOLE_BUILD_DIR, 'index.html'), 'utf8');
    // What the page fetches before any route is opened: its scripts and their module preloads.
    const files = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[\w.-]+\.js)"/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => /graphiql/i.test(f))).toEqual([]);
    const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(CONSOLE_BUILD_DIR, f))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(300 * 1024);
  });
});
