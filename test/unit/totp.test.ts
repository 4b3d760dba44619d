import { describe, expect, it } from '@jest/globals';
import { Secret } from 'otpauth';
import { newRecoveryCodes, normalRecoveryCode, recoveryCodeHash } from '../../src/domain/users/recovery-codes.js';
import { isTotpShape, newTotpSecret, otpauthUri, totpStepOf } from '../../src/domain/users/totp.js';

/** RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32. */
const RFC_SECRET = Secret.fromLatin1('12345678901234567890').base32;

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it('matches the RFC test vectors (the last six digits of the 8-digit values)', () => {
    expect(totpStepOf(RFC_SECRET, '287082', new Date(59_000))).toBe(1);
    expect(totpStepOf(RFC_SECRET, '081804', new Date(1_111_111_109_000))).toBe(37_037_036);
    expect(totpStepOf(RFC_SECRET, '279037', new Date(2_000_000_000_000))).toBe(66_666_666);
  });

  it('accepts one step either side and names the step the code was for', () => {
    const at = new Date(1_111_111_109_000 + 30_000);
    expect(totpStepOf(RFC_SECRET, '081804', at)).toBe(37_037_036);
    expect(totpStepOf(RFC_SECRET, '081804', new Date(1_111_111_109_000 + 60_000))).toBeNull();
    expect(totpStepOf(RFC_SECRET, '081805', new Date(1_111_111_109_000))).toBeNull();
  });

  it('refuses what is not six digits before any HMAC', () => {
    for (const code of ['', '28708', '2870822', '28708a', ' 287082']) {
      expect(isTotpShape(code)).toBe(false);
      expect(totpStepOf(RFC_SECRET, code, new Date(59_000))).toBeNull();
    }
  });

  it('makes 160-bit secrets and an otpauth URI an authenticator app reads', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    expect(otpauthUri(secret, 'ada@example.com')).toBe(
      `otpauth://totp/Switchyard:ada%40example.com?issuer=Switchyard&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
  });
});

describe('recovery codes', () => {
  it('makes ten distinct 80-bit codes in groups of four', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
  });

  it('reads them however they are typed, and nothing else', () => {
    expect(normalRecoveryCode('abcd-efgh-ijkl-mnop')).toBe('ABCDEFGHIJKLMNOP');
    expect(normalRecoveryCode(' ABCD EFGH IJKL MNOP ')).toBe('ABCDEFGHIJKLMNOP');
    expect(normalRecoveryCode('ABCD-EFGH-IJKL-MNO')).toBeNull();
    expect(normalRecoveryCode('ABCD-EFGH-IJKL-MNO1')).toBeNull();
    expect(normalRecoveryCode('287082')).toBeNull();
  });

  it('hashes per user: the same code under two users gives two hashes', () => {
    const a = recoveryCodeHash('00000000-0000-4000-8000-000000000001', 'ABCDEFGHIJKLMNOP');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(recoveryCodeHash('00000000-0000-4000-8000-000000000002', 'ABCDEFGHIJKLMNOP')).not.toBe(a);
  });
});
