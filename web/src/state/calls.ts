// The calls of my conversations: each open call panel listens here for its conversation's
// `call.signal` events (they come in the conversation's stream, to conversations.ts).

import type { CallSignalSent } from '../calls';

type Listener = (data: CallSignalSent) => void;
const listeners = new Map<string, Listener>();

/** The panel of one conversation's call hears its signals until it closes (the returned function). */
export function listenForCallSignals(sessionId: string, listener: Listener): () => void {
  listeners.set(sessionId, listener);
  return () => {
    if (listeners.get(sessionId) === listener) listeners.delete(sessionId);
  };
}

export function deliverCallSignal(data: CallSignalSent): void {
  listeners.get(data.session_id)?.(data);
}
