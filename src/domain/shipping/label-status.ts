import { guardTransition, upperCase, type TransitionTable } from '../state-machine.js';

/**
 * A shipping label's lifecycle as data. `pending`: requested, our idempotency key stored, the
 * purchase job not yet done; `purchased`: the carrier sold it (money spent); `failed`: the
 * purchase could not be made (bad address, no rate fits the rule, the carrier refused) and
 * nothing is known to be bought — a new request retries it under the same key, re-reading the
 * carrier's shipment first; `voiding`: a void was asked for and the job has not yet had the
 * carrier's answer; `voided`: the carrier took the label back (a refund submitted or done) or
 * nothing had been bought, making room for another label on the shipment.
 */
export const LABEL_STATUSES = ['pending', 'purchased', 'failed', 'voiding', 'voided'] as const;
export type LabelStatus = (typeof LABEL_STATUSES)[number];

export const LABEL_TRANSITIONS: TransitionTable<LabelStatus> = {
  pending: ['purchased', 'failed'],
  // Retried, or voided: a failed purchase whose outcome was never confirmed is re-read first.
  failed: ['pending', 'voiding'],
  purchased: ['voiding'],
  // A refused refund (the parcel is already moving) puts the label back.
  voiding: ['voided', 'purchased'],
  voided: [],
};

/** Moves a label along its table, or refuses with ILLEGAL_TRANSITION. */
export function transitionLabel(label: { id: string; status: LabelStatus }, to: LabelStatus): void {
  guardTransition(
    LABEL_TRANSITIONS,
    { label: `Shipping label ${label.id}`, ids: { labelId: label.id }, stateName: upperCase },
    label.status,
    to,
  );
  label.status = to;
}
