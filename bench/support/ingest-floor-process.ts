import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort } from '../../src/platform/local-redis.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { loadSqlFile } from './pgbench.js';

/** The node-postgres pool of the floor, as the reference README runs it. */
export const FLOOR_POOL = 8;

export interface IngestFloorProcess extends ChildServer {
  /** POST the reference order here. */
  ordersUrl: string;
  /** The reference order (order-3lines-2k.json), sent as is with every request. */
  body: string;
  databaseUrl: string;
  /** For the report. */
  settings: Record<string, unknown>;
}

async function exec(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);

/**
 * The ingest floor of ../shared/bench-reference: `http-ingest.mjs` (node:http, JSON.parse of a
 * 2 KB order, one node-postgres transaction: order + 3 lines + 1 conditional reservation, 201),
 * with a database of its own made from `oms_schema.sql` on the given server. The script
 * imports `pg`, which does not resolve beside it, so it runs from a copy in a temp directory
 * whose node_modules links to this repository's (the same pg the hub uses).
 */
export async function startIngestFloorProcess(
  referenceDir: string,
  serverUrl: string,
  database: string,
): Promise<IngestFloorProcess> {
  await exec(serverUrl, `create database ${database}`);
  const server = new URL(serverUrl);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${database}`;
  await loadSqlFile(databaseUrl.toString(), join(referenceDir, 'oms_schema.sql'));
  const body = readFileSync(join(referenceDir, 'order-3lines-2k.json'), 'utf8');

  const dir = mkdtempSync(join(tmpdir(), 'switchyard-ingest-floor-'));
  const script = join(dir, 'http-ingest.mjs');
  const modules = join(dir, 'node_modules');
  copyFileSync(join(referenceDir, 'http-ingest.mjs'), script);
  symlinkSync(fileURLToPath(new URL('../../../node_modules', import.meta.url)), modules, 'dir');
  // Unlinked one by one: a recursive removal must never walk into the linked node_modules.
  const removeCopy = () => {
    for (const file of [modules, script]) {
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
    try {
      rmdirSync(dir);
    } catch {
      // already gone
    }
  };

  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PGHOST: server.hostname,
    PGPORT: server.port,
    PGUSER: decodeURIComponent(server.username) || 'postgres',
    PGDATABASE: database,
    PORT: String(port),
    POOL: String(FLOOR_POOL),
  };
  let child: ChildServer;
  try {
    child = await startChildServer({
      name: 'ingest floor (http-ingest.mjs)',
      script: pathToFileURL(script),
      env,
      port,
      isReady: async (baseUrl) => {
        const res = await fetch(`${baseUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        return res.status === 201 && checkFloorAnswer(res.status, await res.text()) === undefined;
      },
    });
  } catch (error) {
    removeCopy();
    throw error;
  }
  return {
    ...child,
    ordersUrl: `${child.baseUrl}/orders`,
    body,
    databaseUrl: databaseUrl.toString(),
    async stop() {
      await child.stop();
      removeCopy();
    },
    settings: {
      command: 'node ../shared/bench-reference/http-ingest.mjs (run from a temp copy beside a link to node_modules)',
      scriptSha256: sha256(join(referenceDir, 'http-ingest.mjs')),
      POOL: FLOOR_POOL,
      database: `${database}, loaded with oms_schema.sql (10,000 SKUs, 10^9 units each), same PostgreSQL server as the hub`,
      body: `order-3lines-2k.json (${Buffer.byteLength(body)} bytes), the same for every request; the floor draws its SKUs at random itself`,
    },
  };
}

/** undefined for 201 with status NEW and the reservation made; else why not. */
export function checkFloorAnswer(status: number, body: string): string | undefined {
  if (status !== 201) return `HTTP ${status}`;
  try {
    const json = JSON.parse(body) as { status?: string; reserved?: boolean };
    if (json.status !== 'NEW') return `status ${json.status}`;
    return json.reserved === true ? undefined : 'not reserved';
  } catch {
    return 'not JSON';
  }
}

export interface FloorStockCheck {
  orders: number;
  /** reserved > on hand or reserved < 0 in the floor's stock table. */
  oversoldSkus: number;
  reservedUnits: number;
}

export async function checkFloorStock(databaseUrl: string): Promise<FloorStockCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const stock = await client.query<{ oversold: string; reserved: string | null }>(
      'select count(*) filter (where reserved > on_hand or reserved < 0) as oversold, sum(reserved) as reserved from stock',
    );
    const orders = await client.query<{ n: string }>('select count(*) as n from orders');
    return {
      orders: Number(orders.rows[0]!.n),
      oversoldSkus: Number(stock.rows[0]!.oversold),
      reservedUnits: Number(stock.rows[0]!.reserved ?? 0),
    };
  } finally {
    await client.end();
  }
}
