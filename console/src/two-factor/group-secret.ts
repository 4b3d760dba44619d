/** A base32 secret in groups of four, so it can be read out and typed in without losing one's place. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
