import { controlCharacterIn } from '../control-characters.js';
import { badInput } from '../errors.js';

/**
 * What a password must be (NIST SP 800-63B: length, not composition rules): 12 to 256
 * characters, not the user's email, not one character repeated, no control characters (a NUL
 * or a line break is a paste accident, not a password).
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export function validPassword(field: string, password: string, email: string): string {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX)
    throw badInput(field, `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters (a passphrase is fine)`, {
      min: PASSWORD_MIN,
      max: PASSWORD_MAX,
    });
  // Tab and line breaks too, which other text may hold: in a password they are a paste accident.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(password) || controlCharacterIn(password) !== undefined)
    throw badInput(field, 'must not contain control characters or line breaks');
  if (password.trim().toLowerCase() === email.toLowerCase()) throw badInput(field, 'must not be the email address');
  if (new Set(password).size === 1) throw badInput(field, 'must not be one character repeated');
  return password;
}
