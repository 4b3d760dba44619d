import { describe, expect, it } from '@jest/globals';
import { hashPassword, needsRehash, verifyPassword } from '../../src/domain/users/password-hash.js';
import { validPassword } from '../../src/domain/users/password-policy.js';

describe('argon2id password hashes', () => {
  it('verify the password they were made from and nothing else, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', a)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', b)).toBe(false);
  });

  it('carry their parameters: an older, weaker hash still verifies and asks to be rehashed', async () => {
    const weak = await hashPassword('a passphrase of some length', { memoryKiB: 8_192, passes: 1, parallelism: 1 });
    expect(weak).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await verifyPassword('a passphrase of some length', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword('a passphrase of some length'))).toBe(false);
  });

  it('answer false, never throw, for a malformed stored hash', async () => {
    for (const stored of ['', 'plain', '$argon2i$v=19$m=1,t=1,p=1$abc$def', '$2b$10$abcdefghijklmnopqrstuv']) {
      expect(await verifyPassword('whatever it is', stored)).toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
  });
});

describe('the password rule', () => {
  it('takes a long passphrase with spaces and any script', () => {
    expect(validPassword('password', 'grüne äpfel im regen', 'a@example.com')).toBe('grüne äpfel im regen');
    expect(validPassword('password', '这个密码是很长的一句话吧对吗', 'a@example.com')).toBe(
      '这个密码是很长的一句话吧对吗',
    );
  });

  it('refuses what is short, too long, the email, one character repeated, or holds control characters', () => {
    const refuse = (p: string) => () => validPassword('password', p, 'a.person@example.com');
    expect(refuse('short')).toThrow(/12 to 256/);
    expect(refuse('x'.repeat(256) + 'y')).toThrow(/12 to 256/);
    expect(refuse('A.Person@Example.com')).toThrow(/email/);
    expect(refuse('zzzzzzzzzzzzzzzz')).toThrow(/repeated/);
    expect(refuse('tab\tinside password')).toThrow(/control/);
    expect(refuse('nul\u0000inside password')).toThrow(/control/);
    expect(refuse('lone \ud800 surrogate here')).toThrow(/control/);
  });
});
