import { localeOf, translate, type Lang } from './i18n';

/** "1 h 5 min", "2 h", "45 min", "< 1 min", "0 min". Seconds are rounded down to whole minutes. */
export function formatDuration(totalSeconds: number, lang: Lang): string {
  const seconds = Number.isFinite(totalSeconds) ? Math.max(0, Math.floor(totalSeconds)) : 0;
  if (seconds === 0) return '0 min';
  if (seconds < 60) return translate(lang, 'duration.lessThanMinute');
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours === 0) return `${minutes} min`;
  if (minutes === 0) return `${hours} h`;
  return `${hours} h ${minutes} min`;
}

/** Local midnight of the day containing `now`. */
export function startOfLocalDay(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate(), 0, 0, 0, 0);
}

/** Clock time ("14:05") in the UI language. */
export function formatTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(localeOf(lang), { hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Up to two initials of a person's name: "Jana Nováková" → "JN". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter((part) => part.length > 0);
  if (parts.length === 0) return '?';
  const first = parts[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1] ?? '') : '';
  return (first.charAt(0) + last.charAt(0)).toLocaleUpperCase();
}

/** When something started: the clock time if it was today, else the date and time. */
export function formatSince(iso: string, lang: Lang, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (startOfLocalDay(date).getTime() === startOfLocalDay(now).getTime()) return formatTime(iso, lang);
  return new Intl.DateTimeFormat(localeOf(lang), { day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}
