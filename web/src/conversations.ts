// Pure model of the operator's queue and conversations: ordering, unread counts, wait times.

import { lastSeqOf, mergeBySeq } from './messages';
import type { Message, Session } from './types';

export interface Conversation {
  session: Session;
  messages: Message[];
  /** The highest seq the operator has seen (while the conversation was open). */
  readSeq: number;
}

/**
 * The queue as shown: offers to me first (the newest offer on top), then the waiting sessions,
 * oldest first (the longest-waiting client is served first). Sessions offered to someone else and
 * anything not waiting/offered are left out.
 */
export function orderQueue(sessions: readonly Session[], myId: string): Session[] {
  const offers = sessions.filter((s) => s.status === 'offered' && s.offered_to === myId);
  const waiting = sessions.filter((s) => s.status === 'waiting');
  offers.sort((a, b) => time(b.offer_expires_at ?? b.created_at) - time(a.offer_expires_at ?? a.created_at));
  waiting.sort((a, b) => time(a.created_at) - time(b.created_at) || a.id.localeCompare(b.id));
  return [...offers, ...waiting];
}

/**
 * Whether a new client in my queue should alert me: an offer made to me always does; a client merely
 * waiting (a broadcast group's, or one I could pick) only while I am Online with that channel
 * switched on, so an operator on a break or with the channel off is not rung for it.
 */
export function alertsMe(
  session: Pick<Session, 'status' | 'offered_to' | 'channel'>,
  me: { id: string; online: boolean; channels: readonly { channel: Session['channel']; enabled: boolean }[] },
): boolean {
  if (session.status === 'offered') return session.offered_to === me.id;
  if (session.status !== 'waiting' || !me.online) return false;
  return me.channels.some((c) => c.channel === session.channel && c.enabled);
}

function time(iso: string | null): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/** Whole seconds from `fromIso` to `now` (never negative). */
export function secondsSince(fromIso: string, now: number): number {
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.floor((now - t) / 1000));
}

/** Whole seconds left until `iso` (never negative, rounded up so a fresh 30 s offer shows 30). */
export function secondsUntil(iso: string | null | undefined, now: number): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** A ticking wait time: "0:07", "3:05", "1:02:03". */
export function formatWait(totalSeconds: number): string {
  const s = Number.isFinite(totalSeconds) ? Math.max(0, Math.floor(totalSeconds)) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * Client messages the operator has not seen yet: after what they marked read, and after their own
 * last answer (answering a message means it was read, in whichever tab or browser).
 */
export function unreadCount(conversation: Conversation): number {
  let seen = conversation.readSeq;
  for (const m of conversation.messages) if (m.author === 'operator' && m.seq > seen) seen = m.seq;
  return conversation.messages.filter((m) => m.author === 'client' && m.seq > seen).length;
}

/** The conversation with at least this read mark (one kept from before a reload). */
export function withReadSeq(conversation: Conversation, readSeq: number): Conversation {
  return readSeq > conversation.readSeq ? { ...conversation, readSeq } : conversation;
}

/** Marks everything in the conversation as read. */
export function markRead(conversation: Conversation): Conversation {
  const last = lastSeqOf(conversation.messages);
  return last > conversation.readSeq ? { ...conversation, readSeq: last } : conversation;
}

/** Adds messages to a conversation (deduplicated by seq); open conversations stay fully read. */
export function addMessages(conversation: Conversation, incoming: readonly Message[], open: boolean): Conversation {
  const messages = mergeBySeq(conversation.messages, incoming);
  const next = messages === conversation.messages ? conversation : { ...conversation, messages };
  return open ? markRead(next) : next;
}

/**
 * Applies a session (from a list, `session.changed` or an accept) to my conversations: my active
 * sessions are added or updated; a conversation of mine that ended stays (marked ended) until closed;
 * one that went to someone else or back to the queue (a transfer) is removed.
 */
export function applySession(list: readonly Conversation[], session: Session, myId: string): Conversation[] {
  const index = list.findIndex((c) => c.session.id === session.id);
  const mine = session.operator_id === myId && session.status === 'active';
  if (mine) {
    if (index < 0) return [...list, { session, messages: [], readSeq: 0 }];
    return list.map((c, i) => (i === index ? { ...c, session } : c));
  }
  if (index < 0) return list as Conversation[];
  if (session.status === 'ended') return list.map((c, i) => (i === index ? { ...c, session } : c));
  return list.filter((_, i) => i !== index);
}

/** Removes a session from the queue list when it is no longer waiting for me; adds/updates otherwise. */
export function applyToQueue(queue: readonly Session[], session: Session, myId: string): Session[] {
  const inQueue = session.status === 'waiting' || (session.status === 'offered' && session.offered_to === myId);
  const rest = queue.filter((s) => s.id !== session.id);
  return inQueue ? [...rest, session] : rest;
}

/** "example.com/pricing" from a page URL; the raw text when it is not a URL. */
export function shortPage(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const path = u.pathname === '/' ? '' : u.pathname;
    return `${u.host}${path}`;
  } catch {
    return url;
  }
}

/**
 * What the header's envelope counts: e-mail threads waiting for me in my queue (offered to me, or
 * waiting for anyone who serves e-mail), and my own e-mail conversations with something unread.
 * `openFirst` is my oldest such conversation, which a click opens.
 */
export function emailWaiting(
  queue: readonly Session[],
  conversations: readonly Conversation[],
  myId: string,
): { count: number; openFirst: string | null } {
  const queued = orderQueue(queue, myId).filter((s) => s.channel === 'email').length;
  const unread = conversations.filter(
    (c) => c.session.channel === 'email' && c.session.status === 'active' && c.session.operator_id === myId && unreadCount(c) > 0,
  );
  return { count: queued + unread.length, openFirst: unread[0]?.session.id ?? null };
}
