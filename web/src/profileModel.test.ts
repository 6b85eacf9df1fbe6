import { describe, expect, it } from 'vitest';
import { timeLines, workdayStart } from './profileModel';
import type { PauseType } from './types';

const pauses: PauseType[] = [
  { id: 'p1', name: 'Lunch', paid: false, archived: false, position: 0 },
  { id: 'p2', name: 'Training', paid: true, archived: false, position: 1 },
  { id: 'p3', name: 'Old', paid: true, archived: true, position: 2 },
  { id: 'p4', name: 'Gone', paid: false, archived: true, position: 3 },
];

describe('timeLines', () => {
  it('lists online, away, each pause type and offline', () => {
    const lines = timeLines(
      {
        online_s: 3900,
        away_s: 60,
        break_s: [
          { pause_type: { id: 'p1', name: 'Lunch', paid: false }, paid: false, seconds: 1800 },
          { pause_type: { id: 'p3', name: 'Old', paid: true }, paid: true, seconds: 120 },
          { pause_type: { id: 'p9', name: 'Unknown', paid: true }, paid: true, seconds: 30 },
        ],
        offline_s: 100,
      },
      pauses,
      'en',
    );
    expect(lines.map((l) => [l.label, l.detail, l.seconds])).toEqual([
      ['Online', null, 3900],
      ['Away', null, 60],
      ['Lunch', 'unpaid', 1800],
      ['Training', 'paid', 0],
      ['Old', 'paid', 120],
      ['Unknown', 'paid', 30],
      ['Offline', null, 100],
    ]);
  });
  it('speaks Czech', () => {
    const lines = timeLines({ online_s: 0, away_s: 0, break_s: [], offline_s: 0 }, pauses.slice(0, 1), 'cs');
    expect(lines.map((l) => l.label)).toEqual(['Online', 'Pryč', 'Lunch', 'Offline']);
    expect(lines[2]?.detail).toBe('neplacená');
  });
});

describe('workdayStart', () => {
  const midnight = new Date('2026-11-29T00:00:00Z');
  const at = (iso: string) => `2026-11-29T${iso}Z`;

  it('starts at the first login of the day, not at midnight', () => {
    const history = [
      { presence: 'online' as const, started_at: at('09:30:00') },
      { presence: 'break' as const, started_at: at('08:40:00') },
      { presence: 'online' as const, started_at: at('08:02:00') },
      { presence: 'offline' as const, started_at: at('00:00:00') },
    ];
    expect(workdayStart(history, midnight)?.toISOString()).toBe(at('08:02:00').replace('Z', '.000Z'));
  });

  it('is midnight for someone logged in across it', () => {
    const history = [{ presence: 'online' as const, started_at: '2026-11-28T22:00:00Z' }];
    expect(workdayStart(history, midnight)?.getTime()).toBe(midnight.getTime());
  });

  it('is null before the first login of the day', () => {
    expect(workdayStart([{ presence: 'offline' as const, started_at: at('00:00:00') }], midnight)).toBeNull();
    expect(workdayStart([], midnight)).toBeNull();
  });
});
