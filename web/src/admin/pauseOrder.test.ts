import { describe, expect, it } from 'vitest';
import type { PauseType } from '../types';
import { movedPosition, pauseRows } from './pauseOrder';

const pause = (id: string, position: number, archived = false): PauseType => ({ id, name: id, paid: false, archived, position });

describe('the order of pause types', () => {
  const types = [pause('doctor', 2), pause('lunch', 0), pause('old', 1, true), pause('smoke', 3)];

  it('lists the active ones by position, the archived ones after', () => {
    expect(pauseRows(types).map((p) => p.id)).toEqual(['lunch', 'doctor', 'smoke', 'old']);
  });

  it('moves to the active neighbour’s place, past archived ones', () => {
    expect(movedPosition(types, 'doctor', -1)).toBe(0);
    expect(movedPosition(types, 'lunch', 1)).toBe(2);
    expect(movedPosition(types, 'doctor', 1)).toBe(3);
  });

  it('has no move past either end, nor for an archived or unknown type', () => {
    expect(movedPosition(types, 'lunch', -1)).toBeNull();
    expect(movedPosition(types, 'smoke', 1)).toBeNull();
    expect(movedPosition(types, 'old', -1)).toBeNull();
    expect(movedPosition(types, 'nope', 1)).toBeNull();
  });
});
