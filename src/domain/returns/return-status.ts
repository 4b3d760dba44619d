import type { TransitionTable } from '../state-machine.js';

/** A return (RMA) as data: requested → approved → received → refunded, or requested → rejected. */
export const RETURN_STATUSES = ['requested', 'approved', 'rejected', 'received', 'refunded'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const RETURN_TRANSITIONS: TransitionTable<ReturnStatus> = {
  requested: ['approved', 'rejected'],
  approved: ['received'],
  received: ['refunded'],
  rejected: [],
  refunded: [],
};
