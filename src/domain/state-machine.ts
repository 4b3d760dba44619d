import { DomainError, ErrorCode } from './errors.js';

/** A lifecycle as data: each state with the states it may move to (none: a final state). */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * What a refused move is about, as the error names it: `label` starts the message ("Order
 * SY-1001", "Shipment 3f…"), `ids` go into the error details ({ orderId: … }).
 */
export interface TransitionSubject {
  label: string;
  ids: Record<string, string>;
  /**
   * How a client knows a state, when not as stored: shipment and return statuses are stored in
   * lower case but every API enum is UPPER_CASE, and the error speaks the API's language.
   */
  stateName?: (state: string) => string;
}

/** Whether the table has the edge from → to. */
export function canMove<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/**
 * The one transition guard of orders, shipments and returns: returns when the table has the edge,
 * otherwise throws ILLEGAL_TRANSITION naming the current state, the requested one and the states
 * allowed next, so a client can tell what it may do instead.
 */
export function guardTransition<S extends string>(
  table: TransitionTable<S>,
  subject: TransitionSubject,
  from: S,
  to: S,
): void {
  if (table[from].includes(to)) return;
  const name = subject.stateName ?? ((state: string) => state);
  const [current, requested, allowed] = [name(from), name(to), table[from].map(name)];
  throw new DomainError(
    ErrorCode.ILLEGAL_TRANSITION,
    `${subject.label} is ${current} and cannot become ${requested}; allowed next: ${allowed.length ? allowed.join(', ') : 'none (final state)'}`,
    { ...subject.ids, current, requested, allowed },
  );
}

/** `stateName` for states stored in lower case: the API's UPPER_CASE enum name. */
export const upperCase = (state: string): string => state.toUpperCase();
