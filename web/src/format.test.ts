import { describe, expect, it } from 'vitest';
import { formatDuration, formatSince, initials, startOfLocalDay } from './format';

describe('formatDuration', () => {
  it('formats hours and minutes', () => {
    expect(formatDuration(3900, 'en')).toBe('1 h 5 min');
    expect(formatDuration(3900, 'cs')).toBe('1 h 5 min');
    expect(formatDuration(7200, 'en')).toBe('2 h');
    expect(formatDuration(45 * 60, 'en')).toBe('45 min');
    expect(formatDuration(10 * 3600 + 59 * 60 + 59, 'en')).toBe('10 h 59 min');
  });
  it('handles short and odd values', () => {
    expect(formatDuration(0, 'en')).toBe('0 min');
    expect(formatDuration(59, 'en')).toBe('< 1 min');
    expect(formatDuration(60, 'en')).toBe('1 min');
    expect(formatDuration(-5, 'en')).toBe('0 min');
    expect(formatDuration(Number.NaN, 'en')).toBe('0 min');
    expect(formatDuration(61.9, 'en')).toBe('1 min');
  });
});

describe('startOfLocalDay', () => {
  it('is local midnight of the same day', () => {
    const now = new Date(2025, 4, 17, 15, 42, 7, 123);
    const midnight = startOfLocalDay(now);
    expect(midnight.getFullYear()).toBe(2025);
    expect(midnight.getMonth()).toBe(4);
    expect(midnight.getDate()).toBe(17);
    expect([midnight.getHours(), midnight.getMinutes(), midnight.getSeconds(), midnight.getMilliseconds()]).toEqual([0, 0, 0, 0]);
  });
});

describe('initials', () => {
  it('takes the first and last name', () => {
    expect(initials('Jana Nováková')).toBe('JN');
    expect(initials('Alena Administrátorová')).toBe('AA');
    expect(initials('  eva  ')).toBe('E');
    expect(initials('Tomáš M. Dvořák')).toBe('TD');
    expect(initials('')).toBe('?');
    expect(initials('čeněk šťastný')).toBe('ČŠ');
  });
});

describe('formatSince', () => {
  it('shows only the time for today and the date otherwise', () => {
    const now = new Date(2025, 4, 17, 15, 0);
    const today = new Date(2025, 4, 17, 9, 5).toISOString();
    const earlier = new Date(2025, 4, 12, 9, 5).toISOString();
    expect(formatSince(today, 'cs', now)).toBe('09:05');
    expect(formatSince(earlier, 'cs', now)).toMatch(/12\. ?5\./);
    expect(formatSince(earlier, 'en', now)).toMatch(/12\/05/);
    expect(formatSince('garbage', 'en', now)).toBe('');
  });
});
