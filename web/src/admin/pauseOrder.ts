// The admin arranges pause types by hand: the operators' status menu lists them in that order.
import type { PauseType } from '../types';

/** Active types first in the company's order, then the archived ones. */
export function pauseRows(types: readonly PauseType[]): PauseType[] {
  const byPosition = [...types].sort((a, b) => a.position - b.position);
  return [...byPosition.filter((p) => !p.archived), ...byPosition.filter((p) => p.archived)];
}

/**
 * The `position` that moves `id` one active place up (-1) or down (+1): the place of its active
 * neighbour, so archived types in between never swallow a click. `null` at either end.
 */
export function movedPosition(types: readonly PauseType[], id: string, step: -1 | 1): number | null {
  const active = pauseRows(types).filter((p) => !p.archived);
  const at = active.findIndex((p) => p.id === id);
  const neighbour = at < 0 ? undefined : active[at + step];
  return neighbour ? neighbour.position : null;
}
