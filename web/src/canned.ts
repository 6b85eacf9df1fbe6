// Canned answers in the composer (pure): the `/shortcut` being typed before the cursor, the answers
// that match it, and the text with the chosen answer put in its place.

import type { components } from './api/schema.gen';

export type CannedItem = components['schemas']['CannedItem'];
export type CannedAnswer = components['schemas']['CannedAnswer'];

/** The `/word` that ends at the cursor (at the start, or after a space or a new line). */
export function cannedQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const found = /(?:^|\s)\/([\p{L}\p{N}_-]{0,32})$/u.exec(before);
  if (!found) return null;
  const query = found[1] ?? '';
  return { start: caret - query.length - 1, query: query.toLowerCase() };
}

/** The answers for a query: shortcuts that start with it first, then titles that contain it; at most `limit`. */
export function matchCanned<T extends Pick<CannedAnswer, 'shortcut' | 'title'>>(items: readonly T[], query: string, limit = 8): T[] {
  const q = query.toLowerCase();
  const byShortcut = items.filter((a) => a.shortcut.startsWith(q));
  const byTitle = q ? items.filter((a) => !a.shortcut.startsWith(q) && (a.title ?? '').toLowerCase().includes(q)) : [];
  return [...byShortcut, ...byTitle].slice(0, limit);
}

/** The text with `/query` (from `start` to the cursor) replaced by the answer; the cursor after it. */
export function insertCanned(text: string, start: number, caret: number, answer: string): { text: string; caret: number } {
  const next = text.slice(0, start) + answer + text.slice(caret);
  return { text: next, caret: start + answer.length };
}
