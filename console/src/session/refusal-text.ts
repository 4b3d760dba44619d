import type { SignInResult } from './auth-api';

/** The words for a refusal, with the wait when the hub gave one and did not say it already. */
export function refusalText(result: Extract<SignInResult, { kind: 'refused' }>): string {
  const wait = result.retryAfterSeconds ? ` Try again in ${result.retryAfterSeconds} s.` : '';
  return `${result.message}${wait && !result.message.includes('wait') ? wait : ''}`;
}
