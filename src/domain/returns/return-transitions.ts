import { DomainError, ErrorCode } from '../errors.js';
import type { ReturnRequest } from './return-request.entity.js';
import { RETURN_TRANSITIONS, type ReturnStatus } from './return-status.js';

/** Moves a return along its table, or refuses with ILLEGAL_TRANSITION naming current and allowed next. */
export function transitionReturn(ret: ReturnRequest, to: ReturnStatus): void {
  const allowed = RETURN_TRANSITIONS[ret.status];
  if (!allowed.includes(to)) {
    throw new DomainError(
      ErrorCode.ILLEGAL_TRANSITION,
      `Return ${ret.id} is ${ret.status} and cannot become ${to}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
      { returnId: ret.id, current: ret.status, requested: to, allowed: [...allowed] },
    );
  }
  ret.status = to;
}
