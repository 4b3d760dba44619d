import type { EntityManager } from '@mikro-orm/core';
import { keyIdOfCiphertext } from '../channels/credentials-cipher.js';
import { sqlRows } from '../channels/sql.js';
import { openTotpSecret, sealTotpSecret } from './totp-secret.js';

/**
 * The TOTP secrets' share of `rotate-encryption-key`: re-encrypts every user's secret (pending
 * enrolments included) from `oldKey` to `newKey` in the caller's transaction, rows locked, and
 * skips those already under the new key id. A row under neither key aborts the whole rotation.
 */
export async function rotateTotpSecrets(
  tx: EntityManager,
  oldKey: Buffer,
  newKey: Buffer,
  keyIds: { oldKeyId: string; newKeyId: string },
): Promise<{ rotated: number; skipped: number }> {
  const rows = await sqlRows<{ id: string; totp_secret_ciphertext: string }>(
    tx,
    'select id, totp_secret_ciphertext from app_user where totp_secret_ciphertext is not null order by id for update',
  );
  let rotated = 0;
  let skipped = 0;
  for (const row of rows) {
    const keyId = keyIdOfCiphertext(row.totp_secret_ciphertext);
    if (keyId === keyIds.newKeyId) {
      skipped++;
      continue;
    }
    if (keyId !== keyIds.oldKeyId)
      throw new Error(
        `the two-factor secret of user ${row.id} is stored under key ${keyId ?? '(unknown format)'}, which is neither the old key ${keyIds.oldKeyId} nor the new key ${keyIds.newKeyId}; nothing was changed`,
      );
    const secret = openTotpSecret(oldKey, row.id, row.totp_secret_ciphertext);
    await sqlRows(tx, 'update app_user set totp_secret_ciphertext = ? where id = ?', [
      sealTotpSecret(newKey, row.id, secret),
      row.id,
    ]);
    rotated++;
  }
  return { rotated, skipped };
}
