import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeKey } from './config.js';

/**
 * Outside production the hub may run with no SWITCHYARD_ENCRYPTION_KEY: it then creates one
 * random key under DATA_DIR (mode 0600) and reuses it on every later start, so credentials
 * encrypted yesterday still decrypt today. Production must pass the key explicitly.
 */
/** The embedded key if one was created under DATA_DIR, without creating one. */
export async function readEmbeddedKey(dataDir: string): Promise<Buffer | undefined> {
  try {
    return decodeKey((await readFile(join(dataDir, 'encryption.key'), 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function loadOrCreateEmbeddedKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, 'encryption.key');
  try {
    const key = decodeKey((await readFile(file, 'utf8')).trim());
    if (!key) throw new Error(`${file} does not hold 32 bytes as base64; delete it only if no credentials were stored`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
