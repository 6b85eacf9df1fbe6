// The calls of my conversations: each open call panel listens here for its conversation's
// `call.signal` events (they come in the conversation's stream, to conversations.ts).
//
// A signal may come before its panel listens: the client says `ready` as soon as the call starts,
// which can be before the answer to the operator's own accept has drawn the panel (or while it
// waits for the call's lock in another tab). Such signals are kept for a short while and handed
// to the panel when it starts listening.

import type { CallSignalSent } from '../calls';

type Listener = (data: CallSignalSent) => void;
const listeners = new Map<string, Listener>();
const early = new Map<string, { at: number; data: CallSignalSent }[]>();

/** How long, and how many, signals are kept for a panel not listening yet. */
const KEEP_MS = 60_000;
const KEEP_AT_MOST = 100;

/** The panel of one conversation's call hears its signals until it closes (the returned function). */
export function listenForCallSignals(sessionId: string, listener: Listener): () => void {
  listeners.set(sessionId, listener);
  const kept = early.get(sessionId) ?? [];
  early.delete(sessionId);
  const since = Date.now() - KEEP_MS;
  for (const k of kept) if (k.at >= since) listener(k.data);
  return () => {
    if (listeners.get(sessionId) === listener) listeners.delete(sessionId);
  };
}

export function deliverCallSignal(data: CallSignalSent): void {
  const listener = listeners.get(data.session_id);
  if (listener) {
    listener(data);
    return;
  }
  const kept = early.get(data.session_id) ?? [];
  kept.push({ at: Date.now(), data });
  early.set(data.session_id, kept.slice(-KEEP_AT_MOST));
}
