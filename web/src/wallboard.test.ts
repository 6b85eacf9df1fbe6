import { describe, expect, it } from 'vitest';
import type { Group, TeamMember } from './types';
import { elapsed, filterTeam, localDayStart, servingTeam } from './wallboard';

const member = (id: string, channels: TeamMember['channels']): TeamMember => ({
  id,
  name: id,
  email: `${id}@x.test`,
  role: 'operator',
  state: { operator_id: id, status: 'online', pause_type: null, presence: 'online', since: '2026-12-05T08:00:00Z', cause: 'login' },
  channels,
  phone_line: null,
});

describe('the wallboard', () => {
  it('shows running times as m:ss, or h:mm:ss past an hour, never negative', () => {
    const since = '2026-12-05T08:00:00Z';
    const at = (s: number) => Date.parse(since) + s * 1000;
    expect(elapsed(since, at(0))).toBe('0:00');
    expect(elapsed(since, at(247))).toBe('4:07');
    expect(elapsed(since, at(3909))).toBe('1:05:09');
    expect(elapsed(since, at(-5))).toBe('0:00');
    expect(elapsed('not a time', at(5))).toBe('');
  });

  it('counts the day from local midnight', () => {
    const start = localDayStart(new Date(2026, 11, 5, 14, 30));
    expect([start.getHours(), start.getMinutes(), start.getDate()]).toEqual([0, 0, 5]);
  });

  it('filters by group membership and assigned channel', () => {
    const chat = [{ channel: 'chat' as const, enabled: true, capacity: 3 }];
    const phone = [{ channel: 'phone' as const, enabled: false, capacity: 1 }];
    const team = [member('a', chat), member('b', phone), member('boss', [])];
    const groups: Group[] = [
      { id: 'all', name: 'All operators', strategy: 'longest_idle', members: [], builtin: true, max_queue: null, after_chat_s: 0 },
      { id: 'sales', name: 'Sales', strategy: 'longest_idle', members: ['b'], builtin: false, max_queue: null, after_chat_s: 0 },
    ];
    const ids = (list: TeamMember[]) => list.map((m) => m.id);
    expect(ids(filterTeam(team, groups, { group: null, channel: null }))).toEqual(['a', 'b', 'boss']);
    expect(ids(filterTeam(team, groups, { group: 'all', channel: null }))).toEqual(['a', 'b', 'boss']);
    expect(ids(filterTeam(team, groups, { group: 'sales', channel: null }))).toEqual(['b']);
    expect(ids(filterTeam(team, groups, { group: null, channel: 'chat' }))).toEqual(['a']);
    expect(ids(servingTeam(team))).toEqual(['a', 'b']);
  });
});
