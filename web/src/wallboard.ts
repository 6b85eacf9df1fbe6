// The supervisor's wallboard as pure functions: running timers, the local day's start, and which
// operators a filter by group and channel keeps.

import type { Channel, Group, TeamMember } from './types';

/** "4:07" or "1:05:09": the time since `iso` at `nowMs`; never negative (a clock a little ahead). */
export function elapsed(iso: string, nowMs: number): string {
  const start = Date.parse(iso);
  if (Number.isNaN(start)) return '';
  const total = Math.max(0, Math.floor((nowMs - start) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Local midnight of the day `now` is in: where "today" begins for the day's counts. */
export function localDayStart(now: Date): Date {
  const d = new Date(now.getTime());
  d.setHours(0, 0, 0, 0);
  return d;
}

export interface BoardFilter {
  /** A group's id, or null for everyone. */
  group: string | null;
  channel: Channel | null;
}

/** The operators the filter keeps: members of the group (the built-in one holds all) with the channel assigned. */
export function filterTeam(team: readonly TeamMember[], groups: readonly Group[], filter: BoardFilter): TeamMember[] {
  const group = filter.group === null ? null : groups.find((g) => g.id === filter.group);
  return team.filter((m) => {
    if (group && !group.builtin && !group.members.includes(m.id)) return false;
    if (filter.channel !== null && !(m.channels ?? []).some((c) => c.channel === filter.channel)) return false;
    return true;
  });
}

/** Only the people who serve clients: anyone with a channel assigned. */
export function servingTeam(team: readonly TeamMember[]): TeamMember[] {
  return team.filter((m) => (m.channels ?? []).length > 0);
}
