import { SellingPartnerApiAuth } from '@sp-api-sdk/auth';
import type { LwaTokenProvider } from './lwa-token-provider.js';

/**
 * The `auth` the @sp-api-sdk clients take (they add `x-amz-access-token` from its
 * getAccessToken before every request), answering from our LwaTokenProvider, which can point at
 * the simulator and renews a token before it expires.
 */
export class SpApiAuth extends SellingPartnerApiAuth {
  constructor(private readonly tokens: LwaTokenProvider) {
    // The base class wants credentials (or reads LWA_* from the environment, which nothing here
    // may do); it never uses them, since getAccessToken is ours.
    super({ clientId: 'switchyard', clientSecret: 'unused', refreshToken: 'unused' });
  }

  override getAccessToken(): Promise<string> {
    return this.tokens.accessToken();
  }
}
