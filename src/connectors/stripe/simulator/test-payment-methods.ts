/**
 * Stripe's documented test payment methods (docs.stripe.com/testing), by id, and what confirming
 * an intent with each does. Any other id is `resource_missing`, as on Stripe.
 */
export type TestOutcome =
  | { kind: 'authorised' }
  | { kind: 'declined'; code: string; declineCode: string; message: string }
  | { kind: 'requires_action' };

export interface TestPaymentMethod {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  funding: 'credit' | 'debit';
  outcome: TestOutcome;
}

const declined = (declineCode: string, message: string, code = 'card_declined'): TestOutcome => ({
  kind: 'declined',
  code,
  declineCode,
  message,
});

export const TEST_PAYMENT_METHODS: Readonly<Record<string, TestPaymentMethod>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', funding: 'credit', outcome: { kind: 'authorised' } },
  pm_card_visa_debit: { brand: 'visa', last4: '5556', funding: 'debit', outcome: { kind: 'authorised' } },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit', outcome: { kind: 'authorised' } },
  pm_card_amex: { brand: 'amex', last4: '8431', funding: 'credit', outcome: { kind: 'authorised' } },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    funding: 'credit',
    outcome: declined('generic_decline', 'Your card was declined.'),
  },
  pm_card_visa_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    funding: 'credit',
    outcome: declined('generic_decline', 'Your card was declined.'),
  },
  pm_card_visa_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    funding: 'credit',
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    funding: 'credit',
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedFraudulent: {
    brand: 'visa',
    last4: '0019',
    funding: 'credit',
    outcome: declined('fraudulent', 'Your card was declined.'),
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    funding: 'credit',
    outcome: declined('expired_card', 'Your card has expired.', 'expired_card'),
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    brand: 'visa',
    last4: '0127',
    funding: 'credit',
    outcome: declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc'),
  },
  pm_card_threeDSecure2Required: {
    brand: 'visa',
    last4: '3220',
    funding: 'credit',
    outcome: { kind: 'requires_action' },
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    outcome: { kind: 'requires_action' },
  },
};
