import { guardTransition, upperCase } from '../state-machine.js';
import type { ReturnRequest } from './return-request.entity.js';
import { RETURN_TRANSITIONS, type ReturnStatus } from './return-status.js';

/** Moves a return along its table, or refuses with ILLEGAL_TRANSITION naming current and allowed next. */
export function transitionReturn(ret: ReturnRequest, to: ReturnStatus): void {
  guardTransition(
    RETURN_TRANSITIONS,
    { label: `Return ${ret.id}`, ids: { returnId: ret.id }, stateName: upperCase },
    ret.status,
    to,
  );
  ret.status = to;
}
