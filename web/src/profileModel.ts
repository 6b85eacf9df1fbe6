// Turns a state summary into the lines of the profile page's "Time today" list.

import { translate, type Lang } from './i18n';
import type { Tone } from './status';
import type { HistoryItem, PauseType, StateSummary } from './types';

/**
 * When today's working time starts: at the first moment today the operator was not offline (their
 * first login, or midnight when they were logged in across it); null when they have not logged in
 * today. The night before the first login is not "offline time today".
 */
export function workdayStart(history: readonly Pick<HistoryItem, 'presence' | 'started_at'>[], midnight: Date): Date | null {
  let first: number | null = null;
  for (const item of history) {
    if (item.presence === 'offline') continue;
    const at = Math.max(Date.parse(item.started_at), midnight.getTime());
    if (Number.isNaN(at)) continue;
    if (first === null || at < first) first = at;
  }
  return first === null ? null : new Date(first);
}

export interface TimeLine {
  key: string;
  label: string;
  detail: string | null;
  tone: Tone;
  seconds: number;
}

/**
 * Online, Away, then one line per pause type (every active type, plus archived ones that have time),
 * then Offline.
 */
export function timeLines(summary: StateSummary, pauseTypes: readonly PauseType[], lang: Lang): TimeLine[] {
  const lines: TimeLine[] = [
    { key: 'online', label: translate(lang, 'status.online'), detail: null, tone: 'online', seconds: summary.online_s },
    { key: 'away', label: translate(lang, 'status.away'), detail: null, tone: 'away', seconds: summary.away_s },
  ];
  const seen = new Set<string>();
  const breakFor = new Map(summary.break_s.map((b) => [b.pause_type.id, b]));
  for (const pause of pauseTypes) {
    const entry = breakFor.get(pause.id);
    if (pause.archived && !entry) continue;
    seen.add(pause.id);
    const paid = entry ? entry.paid : pause.paid;
    lines.push({
      key: `pause:${pause.id}`,
      label: pause.name,
      detail: translate(lang, paid ? 'pause.paid' : 'pause.unpaid'),
      tone: 'break',
      seconds: entry?.seconds ?? 0,
    });
  }
  for (const entry of summary.break_s) {
    if (seen.has(entry.pause_type.id)) continue;
    lines.push({
      key: `pause:${entry.pause_type.id}`,
      label: entry.pause_type.name,
      detail: translate(lang, entry.paid ? 'pause.paid' : 'pause.unpaid'),
      tone: 'break',
      seconds: entry.seconds,
    });
  }
  lines.push({ key: 'offline', label: translate(lang, 'status.offline'), detail: null, tone: 'offline', seconds: summary.offline_s });
  return lines;
}
