// After-chat work as the workspace shows it (pure): the rests the server says are running, how long
// until new sessions may come again, and the event that tells a change.

import { CHANNELS } from './channels';
import { isJsonObject, isOneOf } from './payloads';
import type { AfterChatChanged, Unchecked } from './realtime';
import type { AfterChatWork, Channel } from './types';

const CHANNEL_NAMES: Readonly<Record<Channel, true>> = { chat: true, av: true, email: true, phone: true };

export function isAfterChatWork(value: unknown): value is AfterChatWork {
  if (!isJsonObject(value)) return false;
  const w: Unchecked<AfterChatWork> = value;
  return (
    typeof w.operator_id === 'string' &&
    typeof w.session_id === 'string' &&
    isOneOf(CHANNEL_NAMES, w.channel) &&
    typeof w.started_at === 'string' &&
    typeof w.ends_at === 'string'
  );
}

/** `operator.after_chat_changed` */
export function readAfterChatChanged(data: unknown): AfterChatChanged | null {
  if (!isJsonObject(data)) return null;
  const d: Unchecked<AfterChatChanged> = data;
  if (typeof d.operator_id !== 'string' || !Array.isArray(d.after_chat) || !d.after_chat.every(isAfterChatWork)) return null;
  return { operator_id: d.operator_id, after_chat: d.after_chat };
}

/** The rests still holding offers back at `now` (ms): not ended, time not run out. */
export function runningRests(works: readonly AfterChatWork[], now: number): AfterChatWork[] {
  return works.filter((w) => !w.ended_at && Date.parse(w.ends_at) > now);
}

/** Whole seconds until the last running rest runs out (0: none runs). */
export function secondsLeft(works: readonly AfterChatWork[], now: number): number {
  const ends = runningRests(works, now).map((w) => Date.parse(w.ends_at));
  return ends.length === 0 ? 0 : Math.ceil((Math.max(...ends) - now) / 1000);
}

/** The channels held back, in the workspace's order. */
export function restingChannels(works: readonly AfterChatWork[], now: number): Channel[] {
  const held = new Set(runningRests(works, now).map((w) => w.channel));
  return CHANNELS.filter((c) => held.has(c));
}

/** A countdown as m:ss. */
export function countdown(seconds: number): string {
  const s = Math.max(0, seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
