import type { EntityManager } from '@mikro-orm/core';
import { inTransaction } from '../transaction.js';
import { rotateTotpSecrets } from '../users/rotate-totp-secrets.js';
import { sqlRows } from './sql.js';
import { decryptCredentials, encryptCredentials, keyIdOf, keyIdOfCiphertext } from './credentials-cipher.js';

export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  /** Channels re-encrypted under the new key. */
  rotated: number;
  /** Channels already under the new key (a rerun after a partial or repeated rotation). */
  skipped: number;
  /** Console users' two-factor (TOTP) secrets, stored under the same key: moved and skipped alike. */
  totpSecrets: { rotated: number; skipped: number };
}

/**
 * Re-encrypts every channel's credentials, and every console user's TOTP secret
 * (rotate-totp-secrets.ts), from `oldKey` to `newKey` in one transaction: either
 * every row moves or none does (a row that decrypts under neither key aborts the whole run, so
 * the operator never ends with some rows under a key nobody has). Idempotent: rows already under
 * the new key id are skipped, so running it again after success changes nothing.
 */
export async function rotateEncryptionKey(em: EntityManager, oldKey: Buffer, newKey: Buffer): Promise<RotationResult> {
  const oldKeyId = keyIdOf(oldKey);
  const newKeyId = keyIdOf(newKey);
  if (oldKeyId === newKeyId) throw new Error('the old and the new key are the same key');
  return inTransaction(em, async (tx) => {
    // Locked, so a credentials change committed meanwhile cannot be overwritten with an old value.
    const rows = await sqlRows<{ id: string; credentials_ciphertext: string }>(
      tx,
      'select id, credentials_ciphertext from channel where credentials_ciphertext is not null order by id for update',
    );
    let rotated = 0;
    let skipped = 0;
    for (const row of rows) {
      const keyId = keyIdOfCiphertext(row.credentials_ciphertext);
      if (keyId === newKeyId) {
        skipped++;
        continue;
      }
      if (keyId !== oldKeyId)
        throw new Error(
          `channel ${row.id} is stored under key ${keyId ?? '(unknown format)'}, which is neither the old key ${oldKeyId} nor the new key ${newKeyId}; nothing was changed`,
        );
      const plaintext = decryptCredentials(oldKey, row.id, row.credentials_ciphertext);
      await sqlRows(tx, 'update channel set credentials_ciphertext = ? where id = ?', [
        encryptCredentials(newKey, row.id, plaintext),
        row.id,
      ]);
      rotated++;
    }
    const totpSecrets = await rotateTotpSecrets(tx, oldKey, newKey, { oldKeyId, newKeyId });
    return { oldKeyId, newKeyId, rotated, skipped, totpSecrets };
  });
}
