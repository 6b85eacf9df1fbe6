// The reports page as pure functions: the window a day or a week covers, durations as people read
// them, and the parts an operator's stacked bar is made of.

import type { OperatorBucket } from './types';

/** [start, end) of the local day `date` is in, or of its ISO week (Monday first). */
export function periodOf(date: Date, period: 'day' | 'week'): { from: Date; to: Date } {
  const from = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  if (period === 'week') from.setDate(from.getDate() - ((from.getDay() + 6) % 7));
  const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + (period === 'week' ? 7 : 1));
  return { from, to };
}

/** "0:42", "12:05" (minutes:seconds) under an hour, "3 h 05" over. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${two(m)}` : `${m}:${two(s % 60)}`;
}

export type PartKind = 'online' | 'away' | 'paid' | 'unpaid';

export interface BarPart {
  kind: PartKind;
  /** The pause type's name for a break; the status otherwise (the caller translates). */
  label: string;
  seconds: number;
}

/** What the operator's bar shows, in order: online, away, then each pause type (paid ones first). */
export function barParts(bucket: OperatorBucket): BarPart[] {
  const parts: BarPart[] = [
    { kind: 'online', label: 'online', seconds: bucket.online_s },
    { kind: 'away', label: 'away', seconds: bucket.away_s },
  ];
  const breaks = [...bucket.break_s].sort((a, b) => Number(b.paid) - Number(a.paid));
  for (const b of breaks) parts.push({ kind: b.paid ? 'paid' : 'unpaid', label: b.pause_type.name, seconds: b.seconds });
  return parts.filter((p) => p.seconds > 0);
}

/** Seconds worked or paid: online, away and paid breaks. */
export function paidTime(bucket: OperatorBucket): number {
  return bucket.online_s + bucket.away_s + bucket.paid_break_s;
}
