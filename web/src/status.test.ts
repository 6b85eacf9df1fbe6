import { describe, expect, it } from 'vitest';
import { pauseLabel, statusChoices, statusLabel, teamCounts, toneOf } from './status';
import type { OperatorState, PauseType } from './types';

const lunch: PauseType = { id: 'p1', name: 'Lunch', paid: false, archived: false, position: 0 };
const training: PauseType = { id: 'p2', name: 'Training', paid: true, archived: false, position: 1 };
const old: PauseType = { id: 'p3', name: 'Smoking', paid: false, archived: true, position: 2 };
const pauses = [lunch, training, old];

function state(partial: Partial<OperatorState>): OperatorState {
  return {
    operator_id: 'u1',
    status: 'online',
    pause_type: null,
    presence: 'online',
    since: '2025-01-01T08:00:00Z',
    cause: 'login',
    ...partial,
  };
}

describe('statusChoices', () => {
  it('offers Online, Away and every active pause type with paid/unpaid', () => {
    const items = statusChoices(state({}), pauses, 'en');
    expect(items.map((i) => i.label)).toEqual(['Online', 'Away', 'Lunch · unpaid', 'Training · paid']);
    expect(items.map((i) => i.key)).toEqual(['online', 'away', 'pause:p1', 'pause:p2']);
    expect(items.map((i) => i.request)).toEqual([
      { status: 'online', pause_type_id: null },
      { status: 'away', pause_type_id: null },
      { status: 'away', pause_type_id: 'p1' },
      { status: 'away', pause_type_id: 'p2' },
    ]);
  });
  it('labels in Czech', () => {
    const items = statusChoices(state({}), pauses, 'cs');
    expect(items.map((i) => i.label)).toEqual(['Online', 'Pryč', 'Lunch · neplacená', 'Training · placená']);
  });
  it('checks exactly the chosen status', () => {
    const checked = (s: OperatorState) => statusChoices(s, pauses, 'en').filter((i) => i.checked).map((i) => i.key);
    expect(checked(state({}))).toEqual(['online']);
    expect(checked(state({ status: 'away', presence: 'away' }))).toEqual(['away']);
    expect(checked(state({ status: 'away', presence: 'break', pause_type: lunch }))).toEqual(['pause:p1']);
    // A disconnected operator still sees what they chose.
    expect(checked(state({ status: 'away', presence: 'disconnected', pause_type: training }))).toEqual(['pause:p2']);
  });
  it('checks nothing without a state', () => {
    expect(statusChoices(null, pauses, 'en').some((i) => i.checked)).toBe(false);
  });
});

describe('statusLabel', () => {
  it('follows the presence', () => {
    expect(statusLabel(state({}), 'en')).toBe('Online');
    expect(statusLabel(state({ status: 'away', presence: 'away' }), 'en')).toBe('Away');
    expect(statusLabel(state({ status: 'away', presence: 'away' }), 'cs')).toBe('Pryč');
    expect(statusLabel(state({ status: 'away', presence: 'break', pause_type: lunch }), 'en')).toBe('Lunch');
    expect(statusLabel(state({ presence: 'disconnected' }), 'en')).toBe('Disconnected');
    expect(statusLabel(state({ presence: 'disconnected' }), 'cs')).toBe('Odpojeno');
    expect(statusLabel(state({ presence: 'offline' }), 'en')).toBe('Offline');
  });
  it('pause label marks paid and unpaid', () => {
    expect(pauseLabel(lunch, 'en')).toBe('Lunch · unpaid');
    expect(pauseLabel(training, 'cs')).toBe('Training · placená');
  });
});

describe('tones and counts', () => {
  it('maps presence to colours', () => {
    expect(toneOf('online')).toBe('online');
    expect(toneOf('away')).toBe('away');
    expect(toneOf('break')).toBe('break');
    expect(toneOf('offline')).toBe('offline');
    expect(toneOf('disconnected')).toBe('offline');
  });
  it('counts the team', () => {
    const serving = (presence: OperatorState['presence']) => ({ state: { presence }, channels: ['chat'] });
    expect(teamCounts([serving('online'), serving('break'), serving('away'), serving('disconnected')])).toEqual({
      online: 1,
      away: 2,
      offline: 1,
    });
    // An admin without channels serves nobody: not counted.
    expect(teamCounts([serving('online'), { state: { presence: 'online' }, channels: [] }, { state: { presence: 'online' } }])).toEqual({
      online: 1,
      away: 0,
      offline: 0,
    });
  });
});
