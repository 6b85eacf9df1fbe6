import { describe, expect, it } from 'vitest';
import { barParts, duration, periodOf } from './reports';
import type { OperatorBucket } from './types';

describe('reports', () => {
  it('covers the local day, or the week from Monday', () => {
    const friday = new Date(2026, 11, 4, 15, 30);
    const day = periodOf(friday, 'day');
    expect([day.from.getDate(), day.from.getHours(), day.to.getDate()]).toEqual([4, 0, 5]);
    const week = periodOf(friday, 'week');
    expect([week.from.getDay(), week.from.getDate(), week.to.getDate()]).toEqual([1, 30, 7]);
    expect(periodOf(new Date(2026, 11, 6), 'week').from.getDate()).toBe(30);
  });

  it('reads durations as people do', () => {
    expect(duration(42)).toBe('0:42');
    expect(duration(725)).toBe('12:05');
    expect(duration(3 * 3600 + 5 * 60 + 9)).toBe('3 h 05');
  });

  it('builds the bar from what took time, paid breaks first', () => {
    const bucket: OperatorBucket = {
      start: '',
      end: '',
      online_s: 600,
      away_s: 0,
      offline_s: 100,
      paid_break_s: 60,
      unpaid_break_s: 120,
      sessions_handled: 2,
      after_chat_s: 0,
      ratings: 0,
      break_s: [
        { pause_type: { id: 'p1', name: 'Oběd', paid: false }, paid: false, seconds: 120 },
        { pause_type: { id: 'p2', name: 'Školení', paid: true }, paid: true, seconds: 60 },
      ],
    };
    expect(barParts(bucket)).toEqual([
      { kind: 'online', label: 'online', seconds: 600 },
      { kind: 'paid', label: 'Školení', seconds: 60 },
      { kind: 'unpaid', label: 'Oběd', seconds: 120 },
    ]);
  });
});
