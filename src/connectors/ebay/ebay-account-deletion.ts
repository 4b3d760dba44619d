import { createHash } from 'node:crypto';

/**
 * The answer to eBay's endpoint check, `GET <endpoint>?challenge_code=X`:
 * `{"challengeResponse": hex(SHA-256(challengeCode + verificationToken + endpoint))}`, fed in
 * that order, with `endpoint` exactly the URL registered with eBay (CONNECTORS.md §3).
 */
export function challengeResponse(challengeCode: string, verificationToken: string, endpoint: string): string {
  return createHash('sha256').update(challengeCode).update(verificationToken).update(endpoint).digest('hex');
}
